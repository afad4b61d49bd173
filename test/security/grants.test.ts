// Permissions take effect in open sessions at once: `palaver grant` (another process writing the
// database beside a running server), revokes, and an administrator's name registering its password.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CREATE_CHANNEL } from '../../chat/chat.ts';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { chatWorld } from '../support/chat-app.ts';
import { runServer } from '../support/server.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/palaver.js', import.meta.url).pathname;

const servers: { stop(): Promise<void> }[] = [];
const clients: RemoteHeadless[] = [];
after(async () => {
  for (const c of clients) await c.close();
  for (const s of servers) await s.stop();
});

async function client(url: string, cookie?: string) {
  const c = new RemoteHeadless(url, { cookie });
  clients.push(c);
  await c.connect();
  return c;
}

const shown = (c: RemoteHeadless, name: string) => c.driver.has(name) && c.driver.find(name).attrs.visible !== false;
const errorsOf = (c: RemoteHeadless) => c.received.map(t => JSON.parse(t)).filter(f => f.op === 'error').map(f => f.code as string);
// The CLI answers at once; the server notices within its poll (1 s): allow a loaded machine time.
const NOTICE_MS = 8000;

test('palaver grant shows New channel in every open session of the user at once; --revoke hides it and a forged click is refused', async () => {
  const s = await runServer({ restrictChannels: true });
  servers.push(s);
  const bob = await client(s.url);
  await bob.signIn('bob', 'bobpass');
  // A second tab of the same sign-in: both must follow the grant.
  const tab2 = await client(s.url, bob.cookie!);
  await tab2.until(() => tab2.driver.has('messages'), 'the second tab\'s main screen');
  const alice = await client(s.url);
  await alice.signIn('alice', 'alicepass');
  for (const c of [bob, tab2, alice]) assert.equal(shown(c, 'open-new-channel'), false);

  const granted = await run(process.execPath, [BIN, 'grant', 'bob', '--data', s.options.dataDir]);
  assert.equal(granted.stdout, 'bob may now create channels.\n');
  for (const c of [bob, tab2]) await c.until(() => shown(c, 'open-new-channel'), 'New channel to appear', NOTICE_MS);
  bob.driver.click('open-new-channel');
  await bob.until(() => bob.driver.popup?.attrs.name === 'new-channel', 'the new-channel popup');
  bob.driver.type('name', 'granted'); bob.driver.click('create');
  await bob.until(() => bob.driver.text('topic') === '# granted', 'the new channel to open');
  assert.equal(shown(alice, 'open-new-channel'), false, 'nobody else gained the button');

  await run(process.execPath, [BIN, 'grant', 'bob', '--revoke', '--data', s.options.dataDir]);
  for (const c of [bob, tab2]) await c.until(() => !shown(c, 'open-new-channel'), 'New channel to disappear', NOTICE_MS);
  const before = errorsOf(tab2).length;
  tab2.driver.click('open-new-channel');     // the headless driver sends it although it is hidden
  await tab2.until(() => errorsOf(tab2).length > before, 'the refusal');
  assert.deepEqual(errorsOf(tab2).slice(before), ['disabled']);
  assert.equal(tab2.driver.popup, undefined, 'no new-channel popup opened');
});

test('an administrator\'s name registering its password gets Send alert at once, and Keep my name goes', async () => {
  const s = await runServer({ admins: ['root'] });
  servers.push(s);
  const root = await client(s.url);
  await root.signIn('root');     // not yet registered: no administrator's powers
  assert.equal(shown(root, 'open-send-alert'), false);
  assert.equal(shown(root, 'open-register'), true);
  root.driver.click('open-register');
  await root.until(() => root.driver.popup?.attrs.name === 'register', 'the register popup');
  root.driver.type('password', 'rootpass'); root.driver.type('repeat', 'rootpass'); root.driver.click('save');
  await root.until(() => shown(root, 'open-send-alert') && !shown(root, 'open-register'), 'Send alert to appear');
  assert.equal(root.driver.popup, undefined);
  root.driver.click('open-send-alert');
  await root.until(() => root.driver.popup?.attrs.name === 'send-alert', 'the send-alert popup');
});

test('a click on a button the user may no longer use (revoked, not yet noticed) is refused by the action', async () => {
  const w = await chatWorld({ restrictChannels: true });
  const bob = await w.signIn('bob', 'bobpass');
  await w.store.grant('bob', CREATE_CHANNEL, 'console', Date.now());
  bob.driver.click('sign-out'); await w.settle();
  const again = await w.signIn('bob', 'bobpass');
  assert.equal(again.driver.find('open-new-channel').attrs.visible, true);
  // Written as `palaver grant --revoke` does, but on the chat's own connection: the server has
  // not noticed, so the button is still shown when the user clicks it.
  await w.store.revoke('bob', CREATE_CHANNEL);
  again.driver.click('open-new-channel'); await w.settle();
  assert.equal(again.driver.popup, undefined, 'no new-channel popup');
  assert.equal(again.driver.items('messages').at(-1)?.text, 'You are not allowed to do that.');
  w.chat.close();
});
