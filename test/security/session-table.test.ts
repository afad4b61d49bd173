// The session table under a flood, against a real server with real clients: per-address limits
// refuse one address's flood; with those raised, a table full of anonymous sessions makes room
// (oldest first) while signed-in users keep theirs; sockets that never say hello are closed;
// sign-in attempts are limited per address across connections.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE } from '../../core/errors.ts';
import { REFUSALS } from '../../ui-descriptions/refusals.ts';
import { chatServer, pollClient, socketClient, stopAll, until, widget, type Frame } from './session-table-support.ts';

after(stopAll);

/** `n` long-poll hellos, each a new client (no cookies kept) with a fresh tab, `width` at a time. */
async function flood(url: string, n: number, localAddress: string, width = 20) {
  const answers: Frame[][] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const i = next++;
      const r = await pollClient(url, { cookies: false, localAddress }).poll(`flood-${i}`, [{ op: 'hello', version: 1, tab: `flood-${i}` }]);
      answers.push(r.frames);
    }
  }));
  const count = (code: string) => answers.filter(fs => fs.some(f => f.op === 'error' && f.code === code)).length;
  return { opened: answers.filter(fs => fs[0]?.op === 'hello').length, count };
}

/** A WebSocket client from `localAddress`, signed in as `name` through `auth`. */
async function signedIn(url: string, name: string, localAddress: string) {
  const c = await socketClient(url, { localAddress });
  await c.hello(`tab-${name}`);
  c.send({ op: 'auth', user: name });
  await until(() => widget(c.frames, 'messages') !== undefined, `${name} signed in`);
  return c;
}

/** Sends a chat message from a signed-in client's main screen. */
function say(c: Awaited<ReturnType<typeof signedIn>>, text: string) {
  c.send({ op: 'event', id: widget(c.frames, 'send'), name: 'click', state: { [widget(c.frames, 'message')!]: text } });
}
const saw = (c: { frames: Frame[] }, text: string) => c.frames.some(f => f.op === 'new' && f.attrs?.text === text);

test('one address flooding hellos is refused past its limits; another address still gets in', async () => {
  const { server, url } = await chatServer();
  const r = await flood(url, 300, '127.0.0.1');
  // 30 a minute, plus what trickles back in while the flood runs.
  assert.ok(r.opened >= 30 && r.opened <= 40, `opened ${r.opened}`);
  assert.equal(r.count('rate-limited'), 300 - r.opened);
  assert.equal(server.registry.size, r.opened);
  const honest = await socketClient(url, { localAddress: '127.0.0.2' });
  await honest.hello('honest');
  assert.ok(widget(honest.frames, 'username'), 'the login screen');
  assert.deepEqual(honest.codes(), []);
  await honest.close();

  // Sessions held per address are bounded too, whatever the pace.
  const held = await chatServer({ limits: { sessionsPerAddress: 50, newSessionsPerMinute: 1e9 } });
  const h = await flood(held.url, 80, '127.0.0.3');
  assert.equal(h.opened, 50);
  assert.equal(h.count('too-many-sessions'), 30);
});

test('a table full of anonymous sessions evicts the oldest; signed-in users keep theirs; a new user gets in', async () => {
  const { server, url } = await chatServer({ maxSessions: 100, limits: { sessionsPerAddress: 1e9, newSessionsPerMinute: 1e9 } });
  const ann = await signedIn(url, 'ann', '127.0.1.1');
  const ben = await signedIn(url, 'ben', '127.0.1.2');
  const oldest = pollClient(url);
  assert.equal((await oldest.poll('oldest', [{ op: 'hello', version: 1, tab: 'oldest' }])).frames[0].op, 'hello');

  const r = await flood(url, 3000, '127.0.0.1');
  assert.equal(r.opened, 3000, 'every hello got a session: the oldest anonymous one made room');
  assert.ok(server.registry.size <= 100, `${server.registry.size} sessions`);
  const evicted = await oldest.poll('oldest', []);
  assert.ok(evicted.frames.some(f => f.op === 'error' && f.code === 'evicted'), 'the oldest anonymous session was told it was evicted');

  // The signed-in users were never touched: still connected, still chatting.
  assert.equal(ann.closed, null);
  assert.equal(ben.closed, null);
  say(ann, 'still here after the flood');
  await until(() => saw(ben, 'still here after the flood'), 'ben to see ann’s message');

  const newcomer = await socketClient(url, { localAddress: '127.0.2.1' });
  await newcomer.hello('newcomer');
  assert.ok(widget(newcomer.frames, 'username'), 'a new user gets the login screen');
  assert.deepEqual(newcomer.codes(), []);
  await Promise.all([ann.close(), ben.close(), newcomer.close()]);
});

test('a table full of signed-in sessions refuses a new one with busy', async () => {
  const { server, url } = await chatServer({ maxSessions: 3 });
  const anon = await socketClient(url, { localAddress: '127.0.4.1' });
  await anon.hello('anon');
  const cat = await signedIn(url, 'cat', '127.0.4.2');
  const dan = await signedIn(url, 'dan', '127.0.4.3');
  // The anonymous session makes room for a fourth client…
  const eve = await signedIn(url, 'eve', '127.0.4.4');
  await until(() => anon.closed !== null, 'the anonymous session to be closed');
  assert.ok(anon.codes().includes('evicted'));
  // …but with every session signed in, nobody is pushed out.
  const late = await socketClient(url, { localAddress: '127.0.4.5' });
  await late.hello('late');
  assert.deepEqual(late.codes(), ['busy']);
  await until(() => late.closed !== null, 'the refused socket to close');
  assert.equal(late.closed!.code, 1013);
  assert.deepEqual(server.registry.all().map(ws => ws.session.user?.name).sort(), ['cat', 'dan', 'eve']);
  await Promise.all([cat.close(), dan.close(), eve.close()]);
});

test('a WebSocket that never says hello is closed within a few seconds', async () => {
  const { url } = await chatServer();
  const mute = await socketClient(url);
  await until(() => mute.closed !== null, 'the silent socket to be closed', 10_000);
  assert.deepEqual(mute.closed, { code: CLOSE.helloTimeout.code, reason: 'no hello in time' });
});

test('sign-in attempts from one address are limited across its connections', async () => {
  const { url } = await chatServer();
  // 7 connections × 4 attempts: each connection stays under its own limit; the address does not.
  const clients = await Promise.all(Array.from({ length: 7 }, async (_, i) => {
    const c = await socketClient(url, { localAddress: '127.0.5.1' });
    await c.hello(`guess-${i}`);
    return c;
  }));
  for (const c of clients) for (let k = 0; k < 4; k++) c.send({ op: 'auth', user: 'not valid!' });
  const refusals = () => clients.flatMap(c => c.frames.filter(f => f.op === 'error'));
  await until(() => refusals().length === 28, '28 answers');
  assert.ok(refusals().every(f => f.code === 'auth-failed'));
  assert.equal(refusals().filter(f => f.message === REFUSALS['name-invalid']).length, 20, 'twenty names checked');
  assert.equal(refusals().filter(f => f.message === REFUSALS['rate-limited']).length, 8, 'the rest refused for the address');
  // Another address is not affected.
  const other = await socketClient(url, { localAddress: '127.0.5.2' });
  await other.hello('other');
  other.send({ op: 'auth', user: 'not valid!' });
  await until(() => other.codes().length === 1, 'an answer');
  assert.deepEqual(other.codes(), ['auth-failed']);
  await Promise.all([...clients, other].map(c => c.close()));
});

test('sign-ins through the login screen count against the same limit per address', async () => {
  const { url } = await chatServer();
  // 22 login screens from one address, one try each: the first 20 are checked, the rest refused.
  const clients: Awaited<ReturnType<typeof socketClient>>[] = [];
  for (let i = 0; i < 22; i++) {
    const c = await socketClient(url, { localAddress: '127.0.6.1' });
    await c.hello(`screen-${i}`);
    await until(() => widget(c.frames, 'enter') !== undefined, 'the login screen');
    c.send({ op: 'event', id: widget(c.frames, 'enter'), name: 'click', state: { [widget(c.frames, 'username')!]: 'not valid!' } });
    clients.push(c);
  }
  const shown = (c: { frames: Frame[] }) => c.frames.find(f => f.op === 'set' && f.attr === 'text' && typeof f.value === 'string' && f.value !== '')?.value;
  await until(() => clients.every(c => shown(c) !== undefined), 'every refusal shown');
  assert.deepEqual(clients.map(shown), [...Array(20).fill(REFUSALS['name-invalid']), REFUSALS['rate-limited'], REFUSALS['rate-limited']]);
  await Promise.all(clients.map(c => c.close()));
});

test('behind a trusted proxy each client is counted by its forwarded address; without trust, a forged one changes nothing', async () => {
  const opened = async (url: string) => {
    let n = 0;
    for (let i = 0; i < 35; i++) {
      const c = await socketClient(url, { localAddress: '127.0.7.1', headers: { 'x-forwarded-for': `198.51.100.${i}` } });
      await c.hello(`fwd-${i}`);
      if (c.frames.some(f => f.op === 'hello')) n++;
      await c.close();
    }
    return n;
  };
  // The proxy is 127.0.7.1: it opens 35 sessions for 35 clients in a minute, each within its own limit.
  assert.equal(await opened((await chatServer({ trustProxy: ['127.0.7.1'] })).url), 35);
  // Not trusted: all 35 come from one address, past its 30 new sessions a minute.
  assert.equal(await opened((await chatServer()).url), 30);
});

test('sessions nobody signed in to are capped on their own, and end a minute after their connection (signed-in ones keep theirs)', async () => {
  const { url, server } = await chatServer({ maxAnonymous: 5, anonymousTtlMs: 300, limits: { newSessionsPerMinute: 1000 } });
  const member = await signedIn(url, 'member', '127.0.8.1');
  const guests: Awaited<ReturnType<typeof socketClient>>[] = [];
  for (let i = 0; i < 8; i++) { const g = await socketClient(url, { localAddress: '127.0.8.2' }); await g.hello(`guest-${i}`); guests.push(g); }
  await until(() => guests.slice(0, 3).every(g => g.codes().includes('evicted')), 'the three oldest guests evicted');
  assert.ok(guests.slice(3).every(g => !g.codes().includes('evicted')));
  assert.equal(server.registry.anonymousCount, 5);
  // Gone: the guests' sessions end soon after; the member's lives on, detached, for its own lifetime.
  await Promise.all(guests.map(g => g.close()));
  member.ws.terminate();
  await until(() => server.registry.anonymousCount === 0, 'detached guest sessions ended', 10_000);
  assert.equal(server.registry.size, 1);
});
