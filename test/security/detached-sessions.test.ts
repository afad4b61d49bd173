// What a session costs once its client is gone or keeps coming back, against a real server with
// real clients: a detached session holds only a small outbox; reconnects that each need a snapshot
// are refused past the `get` rate; one sign-in's cookie cannot fill the session table.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE } from '../../core/errors.ts';
import { chatServer, socketClient, stopAll, until, widget, type Frame } from './session-table-support.ts';

after(stopAll);

/** Signs in as `name` over a WebSocket; the client and the session cookie its ticket gives. */
async function signIn(url: string, name: string, localAddress: string) {
  const c = await socketClient(url, { localAddress });
  await c.hello(`tab-${name}`);
  c.send({ op: 'auth', user: name });
  await until(() => widget(c.frames, 'messages') !== undefined && c.frames.some(f => f.op === 'credential'), `${name} signed in`);
  const ticket = (c.frames.find(f => f.op === 'credential') as { ticket?: string }).ticket;
  const r = await fetch(new URL('/auth', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
  const cookie = r.headers.getSetCookie().map(s => s.split(';')[0]).join('; ');
  assert.ok(cookie, 'the ticket gives a session cookie');
  return { c, cookie };
}

/** What a detached session's outbox holds at most (DETACHED_LIMITS in core/outbox.ts). */
const DETACHED_BYTES = 64 * 1024;

const lastSeq = (frames: Frame[]) => Math.max(0, ...frames.map(f => (f as { seq?: number }).seq ?? 0));
const helloOf = (frames: Frame[]) => frames.find(f => f.op === 'hello');

test('a session that never acknowledges keeps a small outbox once detached; a resume past it gets a snapshot', async () => {
  const { server, url } = await chatServer();
  const { c: talker } = await signIn(url, 'talker', '127.0.7.1');
  const { c: idler, cookie } = await signIn(url, 'idler', '127.0.7.2');
  const mark = lastSeq(idler.frames);
  // ~80 KB of frames (quotes encode to two characters) reach the idler, who never acknowledges anything.
  for (let i = 0; i < 10; i++) talker.send({ op: 'event', id: widget(talker.frames, 'send'), name: 'click', state: { [widget(talker.frames, 'message')!]: `${i} ${'"'.repeat(3900)}` } });
  const got = (i: number) => idler.frames.some(f => f.op === 'new' && String(f.attrs?.text ?? '').startsWith(`${i} "`));
  await until(() => got(9), 'the idler to get every message');
  const session = server.registry.all().find(ws => ws.session.user?.name === 'idler')!;
  assert.ok(session.outbox.heldBytes > DETACHED_BYTES, `attached, it holds what the idler missed (${session.outbox.heldBytes})`);
  await idler.close();
  await until(() => !session.attached, 'the idler to be detached');
  assert.ok(session.outbox.heldBytes <= DETACHED_BYTES, `detached, it holds at most ${DETACHED_BYTES} (${session.outbox.heldBytes})`);
  // Coming back from before the messages: they are no longer held, so a snapshot, with them all.
  const back = await socketClient(url, { localAddress: '127.0.7.2', headers: { cookie } });
  await back.hello('tab-idler', { after: mark });
  assert.equal(helloOf(back.frames)?.resumed, false);
  await until(() => back.frames.some(f => f.op === 'new' && String(f.attrs?.text ?? '').startsWith('9 "')), 'the snapshot');
  assert.equal(back.frames.filter(f => f.op === 'clear').length, 1);
  await Promise.all([back.close(), talker.close()]);
});

test('reconnects that each need a snapshot are refused past the get rate; an honest reconnect resumes', async () => {
  const { server, url } = await chatServer();
  const { c: first, cookie } = await signIn(url, 'hopper', '127.0.8.1');
  const seq = lastSeq(first.frames);
  await first.close();
  // An honest reconnect with what it has: resumed, costs nothing.
  const honest = await socketClient(url, { localAddress: '127.0.8.1', headers: { cookie } });
  await honest.hello('tab-hopper', { after: seq });
  assert.equal(helloOf(honest.frames)?.resumed, true);
  await honest.close();
  // Reconnects asking for everything again: each would cost a snapshot.
  const refusedAt: number[] = [];
  for (let i = 0; i < 12; i++) {
    const c = await socketClient(url, { localAddress: '127.0.8.1', headers: { cookie } });
    await c.hello('tab-hopper');
    if (c.codes().includes('rate-limited')) {
      await until(() => c.closed !== null, 'the refused socket to close');
      assert.equal(c.closed!.code, CLOSE.tooManySnapshots.code);
      assert.equal(c.frames.some(f => f.op === 'clear'), false, 'no snapshot for a refused reconnect');
      refusedAt.push(i);
    }
    await c.close();
  }
  assert.ok(refusedAt.length >= 5 && refusedAt[0] <= 6, `refused past the burst (refused: ${refusedAt})`);
  const session = server.registry.all().find(ws => ws.session.user?.name === 'hopper')!;
  assert.equal(session.attached, false, 'the refused connection is not left attached');
});

/** Opens `n` tabs with `cookie` from `addresses` addresses, closing each: they live on, detached. */
async function openTabs(url: string, cookie: string, n: number, addresses: number, base: string) {
  const refusals: string[] = [];
  for (let a = 0; a < addresses; a++) {
    await Promise.all(Array.from({ length: n / addresses }, async (_, i) => {
      const c = await socketClient(url, { localAddress: `${base}.${a + 2}`, headers: { cookie } });
      await c.hello(`tab-${a}-${i}`);
      refusals.push(...c.codes().map(String));
      await c.close();
    }));
  }
  return refusals;
}

test('one sign-in opening tabs from many addresses holds at most 32 sessions: its oldest detached ones make room', async () => {
  const { server, url } = await chatServer();
  const { c: m, cookie } = await signIn(url, 'mallory', '127.0.9.1');
  await m.close();
  assert.deepEqual(await openTabs(url, cookie, 40, 4, '127.0.9'), []);
  const mallory = () => server.registry.all().filter(ws => ws.session.user?.name === 'mallory').length;
  await until(() => mallory() === 32, 'mallory to hold 32 sessions');
  // Ending her extra tabs signed nobody out: the cookie still opens a signed-in tab.
  const again = await socketClient(url, { localAddress: '127.0.9.20', headers: { cookie } });
  await again.hello('tab-again');
  await until(() => widget(again.frames, 'messages') !== undefined, 'a signed-in screen');
  await again.close();
});

test('a table full of signed-in sessions evicts the oldest detached one before refusing a newcomer busy', async () => {
  const { server, url } = await chatServer({ maxSessions: 20 });
  const { c: m, cookie } = await signIn(url, 'mallory', '127.0.11.1');
  await m.close();
  // Each new tab past the 20th ends a detached one (told `evicted` if its socket has not closed yet).
  assert.deepEqual((await openTabs(url, cookie, 24, 2, '127.0.11')).filter(code => code !== 'evicted'), []);
  const v = await socketClient(url, { localAddress: '127.0.12.1' });
  await v.hello('honest');
  assert.deepEqual(v.codes(), []);
  assert.ok(server.registry.size <= 20);
  await v.close();
});
