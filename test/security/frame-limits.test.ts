// Per-connection rate limits on what a client sends (issue 10, items 1 and 6): floods of get,
// event, input and auth are answered with `rate-limited` error frames (themselves limited), a
// stream of bad frames closes the connection, and a person's pace is never limited.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WireSession } from '../../drivers/http/wire-session.ts';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { fixtureApp } from '../support/fixture-app.ts';
import { RawSocket } from '../support/raw-socket.ts';
import { runServer } from '../support/server.ts';
import { memoryLog } from '../support/memory-log.ts';

const servers: { stop(): Promise<void> }[] = [];
async function server(o = {}) { const s = await runServer(o); servers.push(s); return s; }
after(async () => { for (const s of servers) await s.stop(); });

type Frame = { op: string; code?: string; message?: string };
const framesOf = (c: RemoteHeadless, from = 0): Frame[] => c.received.slice(from).map(t => JSON.parse(t));
const errorsOf = (c: RemoteHeadless, from = 0, code?: string) => framesOf(c, from).filter(f => f.op === 'error' && (code === undefined || f.code === code));
const shows = (c: RemoteHeadless, text: string) => c.driver.has('messages') && c.driver.items('messages').some(a => a.text === text);

/** Sends a chat message as a user does and waits for it: every frame sent before it was handled. */
async function say(c: RemoteHeadless, text: string, to: RemoteHeadless[] = [c]) {
  c.driver.type('message', text);
  c.driver.click('send');
  for (const r of to) await r.until(() => shows(r, text), `"${text}"`, 10_000);
}

test('100 get frames at once: a few snapshots, then rate-limited errors, not 100 snapshots', async () => {
  const s = await server();
  const c = new RemoteHeadless(s.url);
  await c.connect();
  await c.signIn('gina');
  const before = c.received.length;
  for (let i = 0; i < 100; i++) c.sendRaw('{"op":"get","after":0}');
  await say(c, 'after the gets');
  const snapshots = framesOf(c, before).filter(f => f.op === 'clear').length;
  assert.ok(snapshots >= 1 && snapshots <= 6, `${snapshots} snapshots`);
  const limited = errorsOf(c, before, 'rate-limited');
  assert.ok(limited.length >= 1, 'the flood is told it is rate-limited');
  assert.match(limited[0].message!, /\bget\b/, 'the error names what was limited');
  assert.ok(errorsOf(c, before).length <= 25, `errors are limited too: ${errorsOf(c, before).length}`);
  await c.close();
});

test('event, input and auth floods are rate-limited; the sessions live on; a person\'s pace never is', async () => {
  const s = await server({ chat: { messageLimit: { count: 1000, windowMs: 1000 } } });
  const hank = new RemoteHeadless(s.url);
  await hank.connect();
  await hank.signIn('hank');

  const fred = new RemoteHeadless(s.url);          // clicks a thousand times
  await fred.connect();
  await fred.signIn('fred');
  for (let i = 0; i < 1000; i++) fred.sendRaw(JSON.stringify({ op: 'event', id: 'w999999', name: 'click', state: {} }));
  await fred.until(() => errorsOf(fred, 0, 'rate-limited').length > 0, 'rate-limited (event)');
  assert.match(errorsOf(fred, 0, 'rate-limited')[0].message!, /\bevent\b/);

  const iris = new RemoteHeadless(s.url);          // types a thousand times
  await iris.connect();
  await iris.signIn('iris');
  for (let i = 0; i < 1000; i++) iris.sendRaw(JSON.stringify({ op: 'input', id: 'w999999', value: `x${i}` }));
  await iris.until(() => errorsOf(iris, 0, 'rate-limited').length > 0, 'rate-limited (input)');
  assert.match(errorsOf(iris, 0, 'rate-limited')[0].message!, /\binput\b/);

  const anon = new RemoteHeadless(s.url);          // tries twenty sign-ins at once
  await anon.connect();
  for (let i = 0; i < 20; i++) anon.sendRaw(JSON.stringify({ op: 'auth', user: 'not valid!' }));
  await anon.until(() => errorsOf(anon, 0, 'rate-limited').length > 0, 'rate-limited (auth)');
  assert.match(errorsOf(anon, 0, 'rate-limited')[0].message!, /\bauth\b/);
  await anon.until(() => errorsOf(anon).length === 20, 'an answer to each attempt');
  assert.equal(errorsOf(anon, 0, 'auth-failed').length, 5, 'only the burst of five is checked');

  // Hank chats quickly (12 messages a second, each a keystroke pause and a click): never limited.
  // The flooders' sessions live on: they receive his messages.
  const started = Date.now();
  for (let i = 0; i < 60; i++) {
    const due = started + i * 83;
    if (due > Date.now()) await new Promise(r => setTimeout(r, due - Date.now()));
    hank.driver.type('message', `quick ${i}`);
    hank.driver.click('send');
  }
  for (const c of [hank, fred, iris]) await c.until(() => shows(c, 'quick 59'), 'the last quick message', 15_000);
  assert.deepEqual(hank.driver.items('messages').filter(a => String(a.text).startsWith('quick ')).map(a => a.text), Array.from({ length: 60 }, (_, i) => `quick ${i}`));
  assert.deepEqual(errorsOf(hank), [], 'an honest pace is never limited');
  for (const c of [hank, fred, iris, anon]) await c.close();
});

test('a stream of bad frames closes the connection (4009), before and after hello', async () => {
  const s = await server();
  const greeted = await RawSocket.open(s.url);
  greeted.send({ op: 'hello', version: 1, tab: 'garbage-after' });
  await greeted.until(() => greeted.count('hello') === 1, 'hello');
  for (let i = 0; i < 200; i++) greeted.send('{not json');
  await greeted.until(() => greeted.closed !== null, 'the close');
  assert.deepEqual(greeted.closed, { code: 4009, reason: 'too many bad frames' });
  assert.ok(greeted.errors('bad-json').length >= 5 && greeted.errors('bad-json').length <= 25, `${greeted.errors('bad-json').length} bad-json errors`);

  const early = await RawSocket.open(s.url);
  for (let i = 0; i < 200; i++) early.send('{not json');
  await early.until(() => early.closed !== null, 'the close');
  assert.deepEqual(early.closed, { code: 4009, reason: 'too many bad frames' });
  assert.ok(early.errors().length <= 10, `${early.errors().length} errors before hello`);
  assert.equal((await fetch(new URL('/healthz', s.url)).then(r => r.json())).status, 'ok');
});

test('rate-limit hits are logged once in a while, not per frame; refusals at debug with their code', async () => {
  const log = memoryLog();
  const lines = log.lines;
  const sent: string[] = [];
  const ws = new WireSession(await fixtureApp(), ['en'], { log });
  ws.attach({ send: t => sent.push(t), close() {}, buffered: () => 0, onDrain() {}, address: '192.0.2.7' });
  await ws.open({ name: 't', token: 't' });
  for (let i = 0; i < 1000; i++) ws.receive('{"op":"get","after":0}');
  const hits = lines.filter(l => l.fields.event === 'rate-limited');
  assert.equal(hits.length, 1, 'one line for a thousand refused frames');
  assert.deepEqual({ level: hits[0].level, what: hits[0].fields.what, address: hits[0].fields.address }, { level: 'warn', what: 'get', address: '192.0.2.7' });
  const refused = lines.filter(l => l.fields.event === 'refused');
  assert.ok(refused.length > 0 && refused.every(l => l.level === 'debug' && l.fields.code === 'rate-limited'));
  assert.ok(sent.filter(t => t.includes('"rate-limited"')).length <= 20, 'error frames are limited');
});
