// The Redis bus between processes, against a real redis-server: two RedisBus instances are two
// processes. Delivery once and in order, catching up after a dropped connection and a restart,
// and a reported gap (never a silent one) when Redis lost or trimmed what a process had not read.
import assert from 'node:assert/strict';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { MemoryBus, type Bus, type ChannelEvent } from '../../chat/bus.ts';
import { Chat } from '../../chat/chat.ts';
import { RedisBus, type RedisBusOptions } from '../../chat/redis-bus.ts';
import { SqliteStore } from '../../chat/sqlite-store.ts';
import { tempDir } from '../support/chat.ts';
import { memoryLog } from '../support/memory-log.ts';
import { killClients, redisMissing, startHoldingProxy, startRedis, type RedisServer } from '../support/redis.ts';

const skip = redisMissing();

async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000) {
  for (const deadline = Date.now() + timeoutMs; !cond();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 5));
  }
}

// Undone last first: processes close before their Redis stops (else each waits to be cut off).
const undo = new WeakMap<TestContext, (() => Promise<void>)[]>();
function later(t: TestContext, fn: () => Promise<void>) {
  let list = undo.get(t);
  if (!list) {
    const fns: (() => Promise<void>)[] = list = [];
    undo.set(t, list);
    t.after(async () => { for (const f of fns.reverse()) await f(); });
  }
  list.push(fn);
}

async function redis(t: TestContext, options: { persist?: boolean } = {}): Promise<RedisServer> {
  const server = await startRedis(options);
  later(t, () => server.stop());
  return server;
}

async function bus(t: TestContext, url: string, options: Partial<RedisBusOptions> = {}): Promise<RedisBus> {
  const b = await RedisBus.open({ url, ...options });
  later(t, () => b.close());
  return b;
}

/** An event that says who published it and its number. */
const ev = (channel: string, who: string, n: number): ChannelEvent => ({ type: 'joined', channel, name: `${who}${n}`, at: n });
const label = (e: ChannelEvent) => e.type === 'joined' ? e.name : e.type;

/** Records what a subscriber is given: labels, and offsets of the events that have one. */
function recorder() {
  const got: string[] = [];
  const offsets: number[] = [];
  const fn = (e: ChannelEvent) => { got.push(label(e)); if (e.type !== 'reset') offsets.push(e.offset!); };
  return { got, offsets, fn };
}

/** Publishes again until Redis takes it (while it is away each attempt is refused, not applied). */
async function publishWhenUp(b: Bus, channel: string, e: ChannelEvent) {
  for (const deadline = Date.now() + 15_000; ;) {
    try { return await b.publishChannel(channel, e); } catch (err) { if (Date.now() > deadline) throw err; }
    await new Promise(r => setTimeout(r, 20));
  }
}

const range = (from: number, to: number, who: string) => Array.from({ length: to - from }, (_, i) => `${who}${from + i}`);

// ---- what MemoryBus promises, the Redis bus promises too ----

const kinds: [string, (t: TestContext, onError: (err: unknown) => void) => Promise<Bus>][] = [
  ['MemoryBus', async (_t, onError) => new MemoryBus(onError)],
  ['RedisBus', async (t, onError) => bus(t, (await redis(t)).url, { onError })],
];

for (const [kind, make] of kinds) {
  test(`${kind}: one subscriber gets events in publish order; a failing subscriber does not stop the others`, { skip: kind === 'RedisBus' && skip }, async t => {
    const errors: unknown[] = [];
    const b = await make(t, err => errors.push(err));
    const before = recorder();
    const after = recorder();
    await b.subscribeChannel('c', before.fn);
    await b.subscribeChannel('c', () => { throw new Error('a broken subscriber'); });
    await b.subscribeChannel('c', after.fn);
    const globals: string[] = [];
    await b.subscribeGlobal(e => { if (e.type === 'presence') globals.push(e.name); });
    await Promise.all(Array.from({ length: 50 }, (_, i) => b.publishChannel('c', ev('c', 'p', i))));
    await b.publishGlobal({ type: 'presence', name: 'alice', online: true });
    await waitFor(() => after.got.length === 50 && globals.length === 1, 'all events');
    assert.deepEqual(before.got, range(0, 50, 'p'));
    assert.deepEqual(after.got, range(0, 50, 'p'));
    assert.deepEqual(globals, ['alice']);
    assert.equal(errors.length, 50);
  });

  test(`${kind}: after unsubscribing, nothing more arrives`, { skip: kind === 'RedisBus' && skip }, async t => {
    const b = await make(t, () => undefined);
    const gone = recorder();
    const stays = recorder();
    const unsubscribe = await b.subscribeChannel('c', gone.fn);
    await b.subscribeChannel('c', stays.fn);
    await b.publishChannel('c', ev('c', 'p', 0));
    await waitFor(() => gone.got.length === 1, 'the first event');
    await unsubscribe();
    await b.publishChannel('c', ev('c', 'p', 1));
    await b.publishChannel('c', ev('c', 'p', 2));
    await waitFor(() => stays.got.length === 3, 'the later events at the other subscriber');
    assert.deepEqual(gone.got, ['p0']);
  });
}

// ---- between processes ----

test('two processes: events published on either arrive at both once, in stream order, across 5 channels interleaved', { skip }, async t => {
  const server = await redis(t);
  const a = await bus(t, server.url);
  const b = await bus(t, server.url);
  const channels = ['c0', 'c1', 'c2', 'c3', 'c4'];
  const seen = new Map<string, ReturnType<typeof recorder>[]>();
  for (const c of channels) seen.set(c, [recorder(), recorder()]);
  for (const c of channels) { await a.subscribeChannel(c, seen.get(c)![0].fn); await b.subscribeChannel(c, seen.get(c)![1].fn); }
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 100; i++) for (const c of channels) { sends.push(a.publishChannel(c, ev(c, 'a', i))); sends.push(b.publishChannel(c, ev(c, 'b', i))); }
  await Promise.all(sends);
  await waitFor(() => channels.every(c => seen.get(c)!.every(r => r.got.length >= 200)), 'every event at both processes');
  for (const c of channels) {
    const [atA, atB] = seen.get(c)!;
    assert.deepEqual(atA.got, atB.got, `${c}: both processes see one order`);
    assert.equal(new Set(atA.got).size, 200, `${c}: each event once`);
    assert.deepEqual(atA.got.filter(x => x.startsWith('a')), range(0, 100, 'a'), `${c}: a publisher's events in its order`);
    assert.deepEqual(atA.got.filter(x => x.startsWith('b')), range(0, 100, 'b'));
    assert.deepEqual(atA.offsets, Array.from({ length: 200 }, (_, i) => i + 1), `${c}: offsets count the stream`);
  }
});

test('a subscriber added while publishes are in flight misses none published after its subscribe resolved', { skip }, async t => {
  const server = await redis(t);
  const a = await bus(t, server.url);
  // A long block: if a new stream waited for the next read, this test would time out.
  const b = await bus(t, server.url, { blockMs: 60_000 });
  await b.subscribeChannel('elsewhere', () => undefined);
  const total = 400;
  let started = 0;
  const publisher = (async () => {
    const inFlight = new Set<Promise<void>>();
    while (started < total) {
      const p: Promise<void> = a.publishChannel('busy', ev('busy', 'a', started++)).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 10) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  })();
  const late = recorder();
  await waitFor(() => started >= 100, 'publishing under way');
  await b.subscribeChannel('busy', late.fn);
  const startedBefore = started;
  await publisher;
  await waitFor(() => late.got.at(-1) === `a${total - 1}`, 'the last event');
  const first = Number(late.got[0].slice(1));
  assert.ok(first <= startedBefore, `the first event delivered (${first}) was published before the subscribe resolved (${startedBefore})`);
  assert.deepEqual(late.got, range(first, total, 'a'), 'every later event, once, in order');
});

test('subscribing to a channel that has no stream yet, while another process publishes its first event', { skip }, async t => {
  const server = await redis(t);
  const a = await bus(t, server.url);
  const b = await bus(t, server.url, { blockMs: 60_000 });
  for (let round = 0; round < 30; round++) {
    const c = `fresh${round}`;
    const got = recorder();
    await Promise.all([a.publishChannel(c, ev(c, 'a', 0)), b.subscribeChannel(c, got.fn)]);
    await a.publishChannel(c, ev(c, 'a', 1));
    await waitFor(() => got.got.includes('a1'), `the second event of ${c}`);
    assert.ok(['a0,a1', 'a1'].includes(got.got.join()), `${c}: got ${got.got.join()}`);
  }
});

test('a process whose Redis connections are killed mid-stream catches up: nothing lost, nothing twice', { skip }, async t => {
  const server = await redis(t);
  const log = memoryLog();
  const a = await bus(t, server.url);
  const b = await bus(t, server.url, { readCount: 1, log });
  const got = recorder();
  let killed = -1;
  await b.subscribeChannel('c', e => {
    got.fn(e);
    if (got.got.length === 20) void killClients(server.admin, `palaver:${b.id}:`).then(n => { killed = n; });
  });
  await Promise.all(Array.from({ length: 300 }, (_, i) => a.publishChannel('c', ev('c', 'a', i))));
  await waitFor(() => got.got.length >= 300 && killed >= 0, 'every event');
  assert.equal(killed, 2, 'both of its connections were killed');
  assert.ok(log.lines.some(l => l.fields.event === 'disconnect'), 'it noticed');
  assert.deepEqual(got.got, range(0, 300, 'a'));
  assert.deepEqual(got.offsets, Array.from({ length: 300 }, (_, i) => i + 1));
});

test('Redis restarted with its data (append-only file) mid-conversation: nothing lost, nothing twice; publishing refuses clearly while it is away', { skip }, async t => {
  const server = await redis(t, { persist: true });
  // b reads through a proxy that holds its traffic: it has read little when Redis goes down.
  const proxy = await startHoldingProxy(server.port);
  later(t, () => proxy.close());
  const gaps: (string | null)[] = [];
  const a = await bus(t, server.url);
  const b = await bus(t, proxy.url, { readCount: 3, onGap: c => gaps.push(c) });
  const got = recorder();
  const globals: string[] = [];
  await b.subscribeChannel('c', got.fn);
  await b.subscribeGlobal(e => { if (e.type === 'presence') globals.push(e.name); });
  for (let i = 0; i < 5; i++) await a.publishChannel('c', ev('c', 'a', i));
  await waitFor(() => got.got.length === 5, 'the first events');
  proxy.hold();
  await Promise.all(Array.from({ length: 95 }, (_, i) => a.publishChannel('c', ev('c', 'a', 5 + i))));
  await a.publishGlobal({ type: 'presence', name: 'before', online: true });
  await server.down();
  proxy.release();
  await assert.rejects(a.publishChannel('c', ev('c', 'a', -1)), /could not publish to channel "c" on Redis/);
  await assert.rejects(b.subscribeChannel('other', () => undefined), /could not subscribe to channel "other" on Redis/);
  await server.up({ persist: true });
  for (let i = 100; i < 150; i++) await publishWhenUp(a, 'c', ev('c', 'a', i));
  await a.publishGlobal({ type: 'presence', name: 'after', online: true });
  await waitFor(() => got.got.length >= 150 && globals.length >= 2, 'every event');
  assert.deepEqual(got.got, range(0, 150, 'a'));
  assert.deepEqual(got.offsets, Array.from({ length: 150 }, (_, i) => i + 1));
  assert.deepEqual(globals, ['before', 'after']);
  assert.deepEqual(gaps, []);
});

test('Redis restarted without its data: each stream reports a gap (reset, onGap), then delivery goes on', { skip }, async t => {
  const server = await redis(t);
  const gaps: (string | null)[] = [];
  const log = memoryLog();
  const a = await bus(t, server.url);
  const b = await bus(t, server.url, { onGap: c => gaps.push(c), log });
  const got = recorder();
  const globals: string[] = [];
  await b.subscribeChannel('c', got.fn);
  await b.subscribeGlobal(e => globals.push(e.type === 'presence' ? e.name : e.type));
  for (let i = 0; i < 10; i++) await a.publishChannel('c', ev('c', 'a', i));
  await a.publishGlobal({ type: 'presence', name: 'before', online: true });
  await waitFor(() => got.got.length === 10 && globals.length === 1, 'the first events');
  await server.down();
  await server.up({ persist: false });
  // Reported on reconnection, before anything new is published.
  await waitFor(() => gaps.length === 2, 'both gaps');
  assert.deepEqual(new Set(gaps), new Set(['c', null]));
  assert.ok(log.lines.some(l => l.level === 'warn' && l.fields.event === 'gap' && l.fields.stream === 'c'));
  for (let i = 10; i < 15; i++) await publishWhenUp(a, 'c', ev('c', 'a', i));
  await a.publishGlobal({ type: 'presence', name: 'after', online: true });
  await waitFor(() => got.got.length === 16 && globals.length === 3, 'the later events');
  assert.deepEqual(got.got, [...range(0, 10, 'a'), 'reset', ...range(10, 15, 'a')]);
  assert.deepEqual(globals, ['before', 'reset', 'after']);
  assert.deepEqual(got.offsets.slice(10), [1, 2, 3, 4, 5], 'the new stream counts from 1');
});

test('Redis back with an older copy of its data (a lagging replica, an old backup): a gap, at once', { skip }, async t => {
  const server = await redis(t, { persist: true });
  const gaps: (string | null)[] = [];
  const a = await bus(t, server.url);
  const b = await bus(t, server.url, { onGap: c => gaps.push(c) });
  const got = recorder();
  await b.subscribeChannel('c', got.fn);
  for (let i = 0; i < 10; i++) await a.publishChannel('c', ev('c', 'a', i));
  await server.down();
  const copies = await tempDir('palaver-redis-copy-');
  later(t, () => rm(copies, { recursive: true, force: true }));
  const old = join(copies, 'data');
  await cp(server.dir, old, { recursive: true });
  await server.up();
  for (let i = 10; i < 20; i++) await publishWhenUp(a, 'c', ev('c', 'a', i));
  await waitFor(() => got.got.length === 20, 'the events before the copy is restored');
  await server.down();
  await rm(server.dir, { recursive: true });
  await cp(old, server.dir, { recursive: true });
  await server.up();
  await waitFor(() => gaps.length === 1, 'the gap');
  for (let i = 20; i < 25; i++) await publishWhenUp(a, 'c', ev('c', 'a', i));
  await waitFor(() => got.got.length === 26, 'the later events');
  assert.deepEqual(got.got, [...range(0, 20, 'a'), 'reset', ...range(20, 25, 'a')]);
  assert.deepEqual(got.offsets.slice(20), [11, 12, 13, 14, 15], 'the stream counts on from the copy');
});

test('MAXLEN trims past a slow reader: it is told (reset, onGap) and goes on from what is left', { skip }, async t => {
  const server = await redis(t);
  const proxy = await startHoldingProxy(server.port);
  later(t, () => proxy.close());
  const gaps: (string | null)[] = [];
  const a = await bus(t, server.url, { maxLen: 10 });
  const slow = await bus(t, proxy.url, { readCount: 1, onGap: c => gaps.push(c) });
  const got = recorder();
  await slow.subscribeChannel('c', got.fn);
  for (let i = 0; i < 5; i++) await a.publishChannel('c', ev('c', 'a', i));
  await waitFor(() => got.got.length === 5, 'the first events');
  proxy.hold();
  for (let i = 5; i < 600; i++) await a.publishChannel('c', ev('c', 'a', i));
  assert.ok(Number(await server.admin.xlen('palaver:stream:c:c')) < 300, 'the stream was trimmed');
  proxy.release();
  await waitFor(() => got.got.at(-1) === 'a599', 'the last event');
  assert.deepEqual(gaps, ['c']);
  const reset = got.got.indexOf('reset');
  assert.ok(reset >= 5, 'the reset comes where the events are missing');
  const after = got.got.slice(reset + 1);
  const first = Number(after[0].slice(1));
  assert.ok(first > 5 + reset, 'events were missing');
  assert.deepEqual(got.got.slice(0, reset), range(0, reset, 'a'), 'before it, every event');
  assert.deepEqual(after, range(first, 600, 'a'), 'after it, every event that was left');
  assert.deepEqual(got.offsets.slice(reset), Array.from({ length: 600 - first }, (_, i) => first + i + 1));
});

test('an idle stream expires from Redis; its next event comes after a reset', { skip }, async t => {
  const server = await redis(t);
  const a = await bus(t, server.url, { streamTtlMs: 300 });
  const b = await bus(t, server.url);
  const got = recorder();
  await b.subscribeChannel('c', got.fn);
  await a.publishChannel('c', ev('c', 'a', 0));
  for (const deadline = Date.now() + 10_000; await server.admin.exists('palaver:stream:c:c', 'palaver:meta:c:c');) {
    assert.ok(Date.now() < deadline, 'the stream never expired');
    await new Promise(r => setTimeout(r, 20));
  }
  await a.publishChannel('c', ev('c', 'a', 1));
  await waitFor(() => got.got.length === 3, 'the event after the expiry');
  assert.deepEqual(got.got, ['a0', 'reset', 'a1']);
});

test('the chat runs on the Redis bus unchanged: what is said on one process is seen on the other', { skip }, async t => {
  const server = await redis(t);
  const file = join(await tempDir(), 'palaver.db');
  const processes = await Promise.all([0, 1].map(async () => {
    const store = new SqliteStore(file);
    const b = await bus(t, server.url);
    const chat = await new Chat(store, b).init();
    later(t, async () => { chat.close(); await store.close(); });
    return chat;
  }));
  const [one, two] = processes;
  const seen: string[] = [];
  await two.bus.subscribeChannel('general', e => {
    if (e.type === 'message') seen.push(`${e.message.author}: ${e.message.text}`);
    if (e.type === 'joined') seen.push(`joined ${e.name}`);
  });
  const alice = await one.signIn('alice');
  await one.join(alice, 'general', 's1');
  for (let i = 0; i < 5; i++) await one.send(alice, 'general', `hello ${i}`);
  await waitFor(() => seen.length === 6, 'the join and the messages');
  assert.deepEqual(seen, ['joined alice', ...Array.from({ length: 5 }, (_, i) => `alice: hello ${i}`)]);
});
