import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { runServer } from '../support/server.ts';

/** The frames before the first widget, repeated clears as one (a new session clears, then shows). */
const beforeScreen = (ops: string[]) => ops.slice(0, ops.indexOf('new')).filter((op, i, all) => !(op === 'clear' && all[i + 1] === 'clear'));

const servers: { stop(): Promise<void> }[] = [];
async function server(o = {}) { const s = await runServer(o); servers.push(s); return s; }
after(async () => { for (const s of servers) await s.stop(); });

const ops = (c: RemoteHeadless) => c.received.map(t => JSON.parse(t).op);
const errorsOf = (c: RemoteHeadless) => c.received.map(t => JSON.parse(t)).filter(f => f.op === 'error').map(f => f.code);

test('a client without a cookie gets forbidden and the login screen; a forged cookie too, never an error', async () => {
  const s = await server();
  const anon = new RemoteHeadless(s.url);
  await anon.connect();
  await anon.until(() => anon.driver.has('username'));
  assert.deepEqual(beforeScreen(ops(anon)), ['hello', 'clear', 'forbidden'], 'forbidden comes with the screen, after its clear');
  const forged = new RemoteHeadless(s.url, { cookie: 'palaver=stolen-token.c2lnbmF0dXJl' });
  await forged.connect();
  await forged.until(() => forged.driver.has('username'));
  assert.equal(forged.driver.forbiddenCount, 1);
  assert.deepEqual(errorsOf(forged), []);
  await anon.close(); await forged.close();
});

test('sign-in issues an HttpOnly, SameSite=Strict cookie through a one-time ticket', async () => {
  const s = await server();
  const c = new RemoteHeadless(s.url);
  await c.connect();
  await c.signIn('alice');
  assert.match(c.cookie ?? '', /^palaver=[\w-]+\.[\w%+/=-]+$/);
  const ticket = JSON.parse(c.received.find(t => t.includes('"credential"'))!).ticket;
  const again = await fetch(new URL('/auth', s.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
  assert.equal(again.status, 400, 'a ticket works once');
  assert.match(c.lastSetCookie, /HttpOnly/);
  assert.match(c.lastSetCookie, /SameSite=Strict/);
  assert.match(c.lastSetCookie, /Path=\//);
  c.driver.click('sign-out');
  await c.until(() => c.driver.has('enter'));
  await c.until(() => c.cookie === null, 'the cookie to be cleared');
  await c.close();
});

test('a WebSocket upgrade from another origin is refused', async () => {
  const s = await server();
  const evil = new RemoteHeadless(s.url, { origin: 'http://evil.example' });
  await assert.rejects(evil.connect(), /upgrade refused: 403/);
  const same = new RemoteHeadless(s.url, { origin: new URL(s.url).origin });
  await same.connect();
  await same.close();
});

test('malformed, oversized and unknown-widget frames get an error frame; the session lives on', async () => {
  const s = await server();
  const c = new RemoteHeadless(s.url);
  await c.connect();
  await c.signIn('carol');
  c.sendRaw('{not json');
  c.sendRaw(JSON.stringify({ op: 'input', id: 'w1', value: 'x'.repeat(70 * 1024) }));
  c.sendRaw(JSON.stringify({ op: 'event', id: 'w99999', name: 'click', state: {} }));
  c.sendRaw(JSON.stringify({ op: 'launch', missiles: true }));
  c.sendRaw(JSON.stringify({ op: 'hello', version: 1 }));
  await c.until(() => errorsOf(c).length >= 5, 'five errors');
  // Protocol errors are answered at once; the unknown widget once the session's worker gets to it.
  assert.deepEqual(errorsOf(c).sort(), ['bad-frame', 'bad-json', 'no-such-widget', 'too-large', 'unknown-op']);
  c.driver.type('message', 'still here'); c.driver.click('send');
  await c.until(() => c.driver.items('messages').some(a => a.text === 'still here'), 'the message');
  assert.equal((await fetch(new URL('/healthz', s.url)).then(r => r.json())).status, 'ok');
  await c.close();
});

test('the first frame must be hello, of this protocol version', async () => {
  const s = await server();
  const url = new URL('/session', s.url); url.protocol = 'ws:';
  const ws = new WebSocket(url);
  const frames: { op: string; code?: string }[] = [];
  ws.on('message', d => frames.push(JSON.parse(d.toString())));
  await new Promise(r => ws.once('open', r));
  ws.send(JSON.stringify({ op: 'get', after: 0 }));
  ws.send(JSON.stringify({ op: 'hello', version: 99 }));
  const closed = await new Promise<number>(r => ws.once('close', code => r(code)));
  assert.deepEqual(frames.map(f => f.code), ['hello-first', 'version']);
  assert.equal(closed, 4002);
});

test('a dropped connection resumes with exactly what it missed, once, in order', async () => {
  const s = await server({ chat: { messageLimit: { count: 100, windowMs: 1000 } } });
  const alice = new RemoteHeadless(s.url);
  const bob = new RemoteHeadless(s.url);
  await alice.connect(); await alice.signIn('alice');
  await bob.connect(); await bob.signIn('bob');
  await alice.until(() => alice.driver.items('messages').some(a => a.text === '* bob has joined'));
  await alice.drop();
  for (let i = 1; i <= 20; i++) { bob.driver.type('message', `missed ${i}`); bob.driver.click('send'); }
  await bob.until(() => bob.driver.items('messages').filter(a => !a.system).length === 20, 'bob sees his 20');
  const before = alice.received.length;
  await alice.connect();
  await alice.until(() => alice.driver.items('messages').filter(a => !a.system).length === 20, 'alice sees 20');
  const replay = alice.received.slice(before).map(t => JSON.parse(t));
  assert.deepEqual(replay[0], { op: 'hello', version: 1, resumed: true });
  assert.equal(replay.filter(f => f.op === 'clear').length, 0, 'no snapshot was needed');
  const texts = alice.driver.items('messages').filter(a => !a.system).map(a => a.text);
  assert.deepEqual(texts, Array.from({ length: 20 }, (_, i) => `missed ${i + 1}`));
  const news = replay.filter(f => f.op === 'new' && f.kind === 'item' && String(f.attrs.text).startsWith('missed'));
  assert.equal(news.length, 20, 'each missed message arrives once');
  await alice.close(); await bob.close();
});

test('auth over the protocol signs in like the login screen', async () => {
  const s = await server();
  const c = new RemoteHeadless(s.url);
  await c.connect();
  await c.until(() => c.driver.has('username'));
  c.sendRaw(JSON.stringify({ op: 'auth', user: 'not valid!' }));
  await c.until(() => errorsOf(c).includes('auth-failed'));
  assert.equal(JSON.parse(c.received.find(t => t.includes('auth-failed'))!).message, 'Names are 1 to 32 letters, digits, dots, dashes or underscores.');
  c.sendRaw(JSON.stringify({ op: 'auth', user: 'dave' }));
  await c.until(() => c.driver.has('messages'));
  assert.equal(c.driver.text('me'), 'Signed in as dave');
  await c.close();
});

test('a server restart signs nobody out: the client reconnects to its last channel', async () => {
  const s = await server();
  const c = new RemoteHeadless(s.url);
  await c.connect();
  await c.signIn('erin');
  c.driver.click('open-new-channel');
  await c.until(() => c.driver.has('create'));
  c.driver.type('name', 'after-restart'); c.driver.click('create');
  await c.until(() => c.driver.text('topic') === '# after-restart');
  await s.restart();
  await c.until(() => c.socket === null, 'the old connection to close');
  await c.connect();
  await c.until(() => c.driver.has('messages') && c.driver.text('topic') === '# after-restart', 'the main screen again');
  assert.equal(c.driver.text('me'), 'Signed in as erin');
  await c.close();
});

test('two tabs of one user both work, and the user is listed once', async () => {
  const s = await server();
  const tab1 = new RemoteHeadless(s.url);
  await tab1.connect(); await tab1.signIn('frank');
  const tab2 = new RemoteHeadless(s.url, { cookie: tab1.cookie! });
  await tab2.connect();
  await tab2.until(() => tab2.driver.has('messages'));
  assert.equal(tab2.driver.forbiddenCount, 0);
  tab2.driver.type('message', 'from tab 2'); tab2.driver.click('send');
  await tab1.until(() => tab1.driver.items('messages').some(a => a.text === 'from tab 2'));
  assert.deepEqual(tab1.driver.items('users').map(a => a.text), ['frank']);
  assert.equal(tab1.driver.items('messages').filter(a => a.text === '* frank has joined').length, 1);
  // Signing out in one tab signs out the other: they share the cookie.
  tab1.driver.click('sign-out');
  await tab2.until(() => tab2.driver.has('username'), 'tab 2 back at login');
  await tab1.close(); await tab2.close();
});

test('a detached session ends after its lifetime: its user leaves and the name is free', async () => {
  const s = await server({ detachedTtlMs: 300 });
  const gina = new RemoteHeadless(s.url);
  const watcher = new RemoteHeadless(s.url);
  await gina.connect(); await gina.signIn('gina');
  await watcher.connect(); await watcher.signIn('watcher');
  await gina.drop();
  await watcher.until(() => watcher.driver.items('messages').some(a => a.text === '* gina has left'), 'gina leaving', 5000);
  const again = new RemoteHeadless(s.url);
  await again.connect(); await again.signIn('gina');
  assert.equal(again.driver.text('me'), 'Signed in as gina');
  await watcher.close(); await again.close();
});

test('long-poll speaks the same frames', async () => {
  const s = await server();
  type Frame = { op: string; id?: string; attrs?: Record<string, unknown>; ticket?: string; code?: string };
  // Like a browser, the client keeps the cookies it is given: long-poll needs them.
  const jar = new Map<string, string>();
  const poll = async (frames: unknown[], wait = false) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL('/poll', s.url), { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify({ tab: 'lp1', frames, wait }) });
    for (const c of res.headers.getSetCookie()) { const [k, v] = c.split(';')[0].split('='); jar.set(k, v); }
    return (await res.json()) as Frame[];
  };
  assert.deepEqual((await poll([{ op: 'get', after: 0 }])).map(f => f.code), ['hello-first']);
  const first = await poll([{ op: 'hello', version: 1, tab: 'lp1' }]);
  assert.deepEqual(beforeScreen(first.map(f => f.op)), ['hello', 'clear', 'forbidden']);
  const byName = (fs: typeof first, name: string) => fs.find(f => f.op === 'new' && f.attrs?.name === name)!.id!;
  const user = byName(first, 'username');
  const enter = byName(first, 'enter');
  const signedIn = await poll([{ op: 'event', id: enter, name: 'click', state: { [user]: 'henry' } }], true);
  while (!signedIn.some(f => f.op === 'new' && f.attrs?.name === 'messages')) signedIn.push(...await poll([], true));
  assert.ok(signedIn.some(f => f.op === 'credential'));
  assert.ok(signedIn.some(f => f.op === 'new' && f.attrs?.name === 'messages'));
  const bad = await poll([{ op: 'nope' }]);
  assert.deepEqual(bad.map(f => f.code), ['unknown-op']);
});

test('the hello says what a client can draw: the session, and the screens, know it; unknown ones are ignored', async () => {
  const s = await server({ admins: ['root'] });
  const plain = new RemoteHeadless(s.url, { capabilities: ['lists'] });
  const full = new RemoteHeadless(s.url);
  for (const c of [plain, full]) { await c.connect(); await c.signIn(c === plain ? 'lina' : 'root', c === plain ? undefined : 'rootpass'); }
  const sessionOf = (c: RemoteHeadless) => s.server.registry.all().find(ws => ws.session.user?.name === (c === plain ? 'lina' : 'root'))!.session;
  assert.equal(sessionOf(plain).can('popups'), false);
  assert.equal(sessionOf(plain).can('lists'), true);
  assert.equal(sessionOf(full).can('popups'), true);
  full.driver.click('open-send-alert');
  await full.until(() => full.driver.has('text'), 'the send-alert popup');
  full.driver.type('text', 'Restart at noon'); full.driver.click('send');
  await plain.until(() => plain.driver.items('messages').some(a => String(a.text).endsWith(': Restart at noon')), 'the alert as a note');
  assert.equal(plain.driver.popup, undefined);
  await full.until(() => full.driver.popup?.attrs.name === 'alert', 'the alert popup');

  const odd = new WebSocket(s.url.replace('http', 'ws') + 'session');
  await new Promise(r => odd.once('open', r));
  odd.send(JSON.stringify({ op: 'hello', version: 1, tab: 'odd', capabilities: ['popups', 'telepathy'] }));
  await new Promise<void>(r => odd.once('message', () => r()));
  const session = s.server.registry.all().find(ws => !ws.session.user && ws.capabilities().length === 1)?.session;
  assert.ok(session?.can('popups'), 'a known capability is kept, an unknown one dropped');
  odd.close();
  for (const c of [plain, full]) await c.close();
});
