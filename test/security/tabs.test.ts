// A tab id is not a key: knowing one never reaches a session that another live connection holds.
// Real server, raw WebSocket and long-poll clients; the attacker knows the victim's tab id.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSER_COOKIE } from '../../drivers/http/paths.ts';
import { chatServer, pollClient, socketClient, stopAll, until, widget, type Frame } from './session-table-support.ts';

after(stopAll);

/** What the login box of the latest screen in `frames` holds. */
const typedName = (frames: Frame[]) => frames.findLast(f => f.op === 'new' && f.attrs?.name === 'username')?.attrs?.text ?? '';

/** A browser cookie, as GET / gives one to every page. */
async function browserCookie(url: string): Promise<string> {
  const res = await fetch(url);
  const set = res.headers.getSetCookie().find(c => c.startsWith(`${BROWSER_COOKIE}=`));
  assert.ok(set, 'GET / sets the browser cookie');
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  return set.split(';')[0];
}

/** A client on the login screen that typed `name` into the login box (and the server has it). */
async function typing(url: string, tab: string | undefined, name: string, headers?: Record<string, string>) {
  const c = await socketClient(url, { headers });
  await c.hello(tab);
  c.send({ op: 'input', id: widget(c.frames, 'username'), value: name });
  return c;
}

async function serverHolds(server: { registry: { all(): { session: { snapshot(): unknown } }[] } }, text: string) {
  await until(() => server.registry.all().some(ws => JSON.stringify(ws.session.snapshot()).includes(text)), `the server to hold "${text}"`);
}

test('without a cookie, a live session’s tab id gets a fresh session, and the victim keeps its own', async () => {
  const { server, url } = await chatServer();
  const victim = await typing(url, 'victim-tab', 'victim-name');
  await serverHolds(server, 'victim-name');
  const attacker = await socketClient(url);
  await attacker.hello('victim-tab');
  assert.ok(widget(attacker.frames, 'username'), 'the attacker is on a login screen');
  assert.equal(typedName(attacker.frames), '', 'an empty one: not the victim’s');
  assert.equal(server.registry.size, 2);
  // The victim's connection was not replaced: it goes on and signs in.
  victim.send({ op: 'auth', user: 'victim-name' });
  await until(() => widget(victim.frames, 'messages') !== undefined, 'the victim signed in');
  assert.equal(victim.closed, null);
  assert.equal(widget(attacker.frames, 'messages'), undefined);
  await Promise.all([victim.close(), attacker.close()]);
});

test('without a cookie, a tab id takes back its own session once its connection is gone', async () => {
  const { server, url } = await chatServer();
  const first = await typing(url, 'terminal-tab', 'half-typed');
  await serverHolds(server, 'half-typed');
  first.ws.terminate();
  await until(() => server.registry.all().every(ws => !ws.attached), 'the server to see the drop');
  const again = await socketClient(url);
  await again.hello('terminal-tab');
  assert.equal(typedName(again.frames), 'half-typed');
  assert.equal(server.registry.size, 1);
  await again.close();
});

test('a browser’s anonymous session is found by its cookie and tab, not by the tab alone', async () => {
  const { server, url } = await chatServer();
  const cookie = await browserCookie(url);
  const victim = await typing(url, 'browser-tab', 'browser-victim', { cookie });
  await serverHolds(server, 'browser-victim');
  // Another browser (its own cookie) and a client without any: neither reaches it.
  const other = await socketClient(url, { headers: { cookie: await browserCookie(url) } });
  await other.hello('browser-tab');
  const bare = await socketClient(url);
  await bare.hello('browser-tab');
  assert.equal(typedName(other.frames), '');
  assert.equal(typedName(bare.frames), '');
  assert.equal(victim.closed, null);
  assert.equal(server.registry.size, 3);
  // The victim's own browser (a reload) finds it, even while the old socket is still open.
  const reload = await socketClient(url, { headers: { cookie } });
  await reload.hello('browser-tab');
  assert.equal(typedName(reload.frames), 'browser-victim');
  await Promise.all([victim.close(), other.close(), bare.close(), reload.close()]);
});

test('a hello without a tab gets a session of its own, every time', async () => {
  const { server, url } = await chatServer();
  const one = await typing(url, undefined, 'first-without-tab');
  await serverHolds(server, 'first-without-tab');
  const two = await socketClient(url);
  await two.hello(undefined);
  assert.equal(typedName(two.frames), '');
  assert.equal(server.registry.size, 2);
  assert.equal(one.closed, null);
  await Promise.all([one.close(), two.close()]);
});

test('long-poll: a tab id without the cookie gets hello-first, never the victim’s connection', async () => {
  const { server, url } = await chatServer();
  const victim = pollClient(url);
  const first = await victim.poll('lp-victim', [{ op: 'hello', version: 1, tab: 'lp-victim' }]);
  assert.ok(victim.jar.has(BROWSER_COOKIE), 'a client without cookies is given one with its hello');
  const user = widget(first.frames, 'username')!;
  const enter = widget(first.frames, 'enter')!;
  const attacker = pollClient(url, { cookies: false });
  const tried = await attacker.poll('lp-victim', [{ op: 'event', id: enter, name: 'click', state: { [user]: 'mallory' } }]);
  assert.deepEqual(tried.frames.map(f => f.code), ['hello-first']);
  // Nobody signed the victim's session in; the victim still can.
  assert.ok(server.registry.all().every(ws => ws.session.user === null));
  const frames: Frame[] = [];
  frames.push(...(await victim.poll('lp-victim', [{ op: 'event', id: enter, name: 'click', state: { [user]: 'rightful' } }])).frames);
  await until(() => server.registry.all().some(ws => ws.session.user?.name === 'rightful'), 'the victim signed in');
  assert.ok(!frames.some(f => f.code === 'hello-first'));
});
