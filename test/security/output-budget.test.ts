// Output is bounded per connection (issue 10, item 1): a client that stops reading cannot make
// the server queue snapshots for it until it runs out of memory, and honest users go on chatting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { Log } from '../../core/log.ts';
import { WireSession, type Connection } from '../../drivers/http/wire-session.ts';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { spawnServer } from '../support/child-server.ts';
import { fixtureApp } from '../support/fixture-app.ts';
import { PollClient } from '../support/poll-client.ts';
import { runServer } from '../support/server.ts';

const MB = 1024 * 1024;
const shows = (c: RemoteHeadless, text: string) => c.driver.has('messages') && c.driver.items('messages').some(a => a.text === text);
const tcpOf = (c: RemoteHeadless) => (c.socket as unknown as { _socket: Socket })._socket;
const sleepUntil = (t: number) => new Promise(r => setTimeout(r, Math.max(0, t - performance.now())));

async function signedIn(url: string, name: string, cookie?: string) {
  const c = new RemoteHeadless(url, { cookie });
  await c.connect();
  if (!cookie) await c.signIn(name);
  await c.until(() => c.driver.has('messages'), `${name}'s main screen`, 15_000);
  return c;
}

test('a signed-in client that stops reading and sends 12,000 get frames over 4 tabs: the server lives, RSS stays under 300 MB, honest users chat on', { timeout: 240_000 }, async () => {
  const server = await spawnServer();
  const clients: RemoteHeadless[] = [];
  try {
    // A heavy screen: the last 100 messages of ~4,000 characters each, so that a snapshot is
    // about 400 KB. The chat takes 10 messages per 10 s from each user: ten writers.
    const writers = await Promise.all(Array.from({ length: 10 }, (_, i) => signedIn(server.url, `writer${i}`)));
    clients.push(...writers);
    for (const [i, w] of writers.entries()) {
      for (let j = 0; j < 10; j++) { w.driver.type('message', `${i}.${j} ${'x'.repeat(3990)}`); w.driver.click('send'); }
    }
    await writers[0].until(() => writers.every((_, i) => shows(writers[0], `9.9 ${'x'.repeat(3990)}`) && shows(writers[0], `${i}.9 ${'x'.repeat(3990)}`)), 'the 100 heavy messages', 60_000);
    for (const w of writers) await w.close();

    // The attacker: one sign-in, four tabs, none of them reading.
    const first = await signedIn(server.url, 'mallory');
    const tabs = [first, ...(await Promise.all([1, 2, 3].map(() => signedIn(server.url, 'mallory', first.cookie!))))];
    clients.push(...tabs);
    const ann = await signedIn(server.url, 'ann');
    const bob = await signedIn(server.url, 'bob');
    clients.push(ann, bob);

    const rss: number[] = [];
    const sampler = setInterval(() => { const r = server.rss(); if (r !== null) rss.push(r); }, 100);
    try {
      for (const t of tabs) tcpOf(t).pause();
      for (let i = 0; i < 3000; i++) for (const t of tabs) t.sendRaw('{"op":"get","after":0}');

      // Ann and Bob chat meanwhile, one message each every 1.25 s (under the chat's own limit);
      // each message must reach both of them.
      const latencies: number[] = [];
      const chat = async (from: RemoteHeadless, name: string) => {
        const start = performance.now();
        for (let i = 0; i < 10; i++) {
          await sleepUntil(start + i * 1250);
          const text = `${name} ${i}`;
          const sent = performance.now();
          from.driver.type('message', text);
          from.driver.click('send');
          await Promise.all([ann, bob].map(async c => {
            await c.until(() => shows(c, text), `"${text}"`, 10_000);
            latencies.push(performance.now() - sent);
          }));
        }
      };
      await Promise.all([chat(ann, 'ann'), chat(bob, 'bob')]);

      assert.ok(server.alive(), 'the server is alive');
      assert.equal((await fetch(new URL('/healthz', server.url)).then(r => r.json())).status, 'ok');
      const sorted = [...latencies].sort((a, b) => a - b);
      const p99 = sorted[Math.ceil(0.99 * sorted.length) - 1];
      const maxRss = Math.max(...rss);
      console.log(`honest messages: ${latencies.length}, p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, p99 ${p99.toFixed(0)} ms; server RSS max ${(maxRss / MB).toFixed(0)} MB over ${rss.length} samples`);
      assert.equal(latencies.length, 40, 'every honest message reached both honest users');
      assert.ok(sorted.at(-1)! < 3000, `each honest message within 3 s (slowest ${sorted.at(-1)!.toFixed(0)} ms)`);
      assert.ok(maxRss < 300 * MB, `RSS stayed under 300 MB (max ${(maxRss / MB).toFixed(0)} MB)`);
    } finally {
      clearInterval(sampler);
    }
  } finally {
    for (const c of clients) c.socket?.terminate();
    await server.stop();
  }
});

type Written = { op: string; seq?: number; code?: string; attrs?: { text?: string } };
interface SlowConnection {
  written: Written[];
  unread: number;
  reading: boolean;
  closed: { code?: number; reason?: string } | null;
  drained: (() => void)[];
  read(): void;
  conn: Connection;
}

/** A connection whose client reads only when told to: what it has not read stays buffered. */
function slowConnection(address: string): SlowConnection {
  const c: SlowConnection = {
    written: [],
    unread: 0,
    reading: true,
    closed: null,
    drained: [],
    read() { c.unread = 0; for (const cb of c.drained.splice(0)) cb(); },
    conn: {
      send: t => { c.written.push(JSON.parse(t) as Written); if (!c.reading) c.unread += t.length; },
      close: (code, reason) => { c.closed = { code, reason }; },
      buffered: () => c.unread,
      onDrain: cb => { c.drained.push(cb); },
      address,
    },
  };
  return c;
}

async function until(pred: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

test('over budget a session stops writing (errors dropped, a credential kept); once drained: what was missed, or one snapshot; over budget too long: closed 4008 and logged', async () => {
  const logged: Record<string, unknown>[] = [];
  const log: Log = { debug() {}, info: f => { logged.push(f as Record<string, unknown>); }, warn: f => { logged.push(f as Record<string, unknown>); }, error() {}, child: () => log };
  const ws = new WireSession(await fixtureApp(), ['en'], { log, output: { bytes: 2000, slowCloseMs: 300 } });
  const c = slowConnection('192.0.2.9');
  ws.attach(c.conn);
  await ws.open({ name: 't', token: 't' });
  const add = (from: number, n: number) => ws.session.run(() => { for (let i = from; i < from + n; i++) ws.session.add('list', { value: `v${i}`, text: `${i} ${'x'.repeat(500)}` }); });
  const items = () => c.written.filter(f => f.op === 'new' && f.attrs?.text !== undefined && /^\d+ x/.test(f.attrs.text)).length;

  // The client stops reading: past 2,000 bytes nothing more is written.
  c.reading = false;
  await add(0, 20);
  assert.ok(items() <= 5, `${items()} of 20 entries written past the budget`);
  const written = c.written.length;
  ws.refuse('modal', 'an error for now');
  ws.frame({ op: 'credential', ticket: 'kept' });
  for (let i = 0; i < 3; i++) ws.receive('{"op":"get","after":0}');
  assert.equal(c.written.length, written, 'nothing is written while behind: no error, no credential, no snapshot');

  // It reads again: the credential, then one snapshot (a get asked for it), not three.
  const before = c.written.length;
  c.read();
  const after = c.written.slice(before);
  assert.equal(after[0].op, 'credential');
  assert.equal(after.filter(f => f.op === 'clear').length, 1, 'one snapshot');
  assert.ok(after.filter(f => f.op === 'error').length === 0);

  // Behind again without a get: once drained, only what was missed, in order.
  c.read();
  const mark = c.written.length;
  await add(20, 10);
  c.read();
  const missed = c.written.slice(mark).filter(f => f.op === 'new').map(f => Number(f.attrs!.text!.split(' ')[0]));
  assert.deepEqual(missed, Array.from({ length: 10 }, (_, i) => 20 + i), 'the missed entries, once each');
  assert.equal(c.written.slice(mark).filter(f => f.op === 'clear').length, 0, 'no snapshot was needed');

  // Behind, and it stays behind: closed with a clear reason; the session lives on, detached.
  await add(30, 20);
  await until(() => c.closed !== null, 'the close');
  assert.deepEqual(c.closed, { code: 4008, reason: 'too slow: output budget exceeded' });
  assert.equal(ws.attached, false);
  assert.ok(logged.some(f => f.event === 'closed-slow' && f.address === '192.0.2.9'), 'logged as closed-slow');
  const next = slowConnection('192.0.2.9');
  ws.attach(next.conn, 0);
  assert.equal(next.written.filter(f => f.op === 'clear').length, 1, 'a new connection gets one snapshot');
  await ws.session.end('closed');
});

test('a WebSocket that stays over budget is closed (4008); reconnecting after its last seq, it gets one snapshot', { timeout: 120_000 }, async () => {
  const unlimited = { burst: 1e6, perSecond: 1e6 };          // Wes is a fast typist, by design
  const s = await runServer({
    wire: { output: { bytes: 64 * 1024, slowCloseMs: 1000 }, rates: { event: unlimited, input: unlimited } },
    chat: { messageLimit: { count: 1e6, windowMs: 1000 } },
  });
  try {
    const vic = await signedIn(s.url, 'vic');
    const wes = await signedIn(s.url, 'wes');
    const session = s.server.registry.all().find(w => w.session.user?.name === 'vic')!;
    const socket = vic.socket!;
    const closed = new Promise<{ code: number; reason: string }>(r => socket.once('close', (code, reason) => r({ code, reason: reason.toString() })));
    tcpOf(vic).pause();
    // Wes chats on until the server gives up on Vic (kernel buffers take a few MB first).
    let n = 0;
    while (session.attached) {
      assert.ok(n < 10_000, 'the server never gave up on a client that does not read');
      for (let i = 0; i < 50; i++) { wes.driver.type('message', `${n} ${'y'.repeat(3990)}`); wes.driver.click('send'); n++; }
      await wes.until(() => shows(wes, `${n - 1} ${'y'.repeat(3990)}`), 'the batch', 30_000);
    }
    console.log(`the server gave up on Vic after ${n} messages of 4 KB`);
    tcpOf(vic).resume();
    assert.deepEqual(await closed, { code: 4008, reason: 'too slow: output budget exceeded' });
    const before = vic.received.length;
    await vic.connect();
    const last = `${n - 1} ${'y'.repeat(3990)}`;
    await vic.until(() => shows(vic, last), 'the latest message after the snapshot', 15_000);
    const since = vic.received.slice(before).map(t => JSON.parse(t) as { op: string; resumed?: boolean });
    assert.deepEqual(since[0], { op: 'hello', version: 1, resumed: false });
    assert.equal(since.filter(f => f.op === 'clear').length, 1, 'one snapshot, not the backlog');
    for (const c of [vic, wes]) await c.close();
  } finally {
    await s.stop();
  }
});

test('a long-poll client that stops collecting holds at most its budget on the server; closed for it, it is told to greet again and resumes', { timeout: 120_000 }, async () => {
  const unlimited = { burst: 1e6, perSecond: 1e6 };
  const s = await runServer({
    wire: { output: { bytes: 64 * 1024, slowCloseMs: 1000 }, rates: { event: unlimited, input: unlimited } },
    chat: { messageLimit: { count: 1e6, windowMs: 1000 } },
  });
  try {
    const polly = new PollClient(s.url);
    await polly.hello();
    await polly.poll([{ op: 'auth', user: 'polly' }]);
    await polly.until(() => polly.frames.some(f => f.op === 'credential'), 'the sign-in');
    await polly.hello();
    await polly.until(() => polly.frames.some(f => f.op === 'new' && f.attrs?.text === '* polly has joined'), 'the main screen');
    const session = s.server.registry.all().find(w => w.session.user?.name === 'polly')!;

    // Polly stops polling while Wes sends 400 KB of messages.
    const wes = await signedIn(s.url, 'wes');
    const text = (i: number) => `${i} ${'z'.repeat(3990)}`;
    for (let i = 0; i < 100; i++) { wes.driver.type('message', text(i)); wes.driver.click('send'); }
    await wes.until(() => shows(wes, text(99)), 'the 100 messages', 30_000);
    const held = (await polly.poll()).length;
    assert.ok(held < 64 * 1024 + 16 * 1024, `the server held ${held} characters for a client that did not poll`);
    await polly.until(() => polly.frames.some(f => f.attrs?.text === text(99)), 'the latest message');

    // Behind again, for longer than the server waits: the next poll says to greet again.
    for (let i = 100; i < 200; i++) { wes.driver.type('message', text(i)); wes.driver.click('send'); }
    await wes.until(() => shows(wes, text(199)), 'the next 100 messages', 30_000);
    const deadline = Date.now() + 15_000;
    while (session.attached) {
      assert.ok(Date.now() < deadline, 'the server gave up on the poll client');
      await new Promise(r => setTimeout(r, 20));
    }
    const seen = polly.frames.length;
    await polly.poll();
    assert.ok(polly.frames.slice(seen).some(f => f.code === 'hello-first'), 'told to greet again');
    await polly.hello(polly.lastSeq);
    await polly.until(() => polly.frames.some(f => f.attrs?.text === text(199)), 'the latest message after resuming');
    await wes.close();
  } finally {
    await s.stop();
  }
});
