import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply } from '../../core/commands.ts';
import { HeadlessDriver } from '../../drivers/headless/driver.ts';
import { chatWorld } from '../support/chat-app.ts';

const texts = (d: HeadlessDriver, lb = 'messages') => d.items(lb).map(a => a.text);
const messages = (d: HeadlessDriver) => d.items('messages').filter(a => !a.system).map(a => a.text);

test('sign-in opens general, announces the join and lists who is here', async () => {
  const w = await chatWorld();
  const alice = await w.signIn('alice');
  assert.equal(alice.driver.forbiddenCount, 1, 'the login screen came with forbidden');
  assert.equal(alice.driver.text('topic'), '# general');
  assert.equal(alice.driver.text('me'), 'Signed in as alice');
  const bob = await w.signIn('bob');
  assert.deepEqual(texts(alice.driver), ['* alice has joined', '* bob has joined']);
  assert.deepEqual(texts(bob.driver, 'users'), ['alice', 'bob']);
  assert.deepEqual(texts(alice.driver, 'users'), ['alice', 'bob']);
  assert.equal(alice.driver.find('open-send-alert').attrs.visible, false, 'only administrators see the alert button');
  assert.deepEqual(w.errors, []);
});

test('sign-in refusals appear translated in the error label', async () => {
  const w = await chatWorld();
  await w.signIn('alice', 'alicepass');
  const c = await w.open();
  const attempt = async (name: string, password = '') => {
    c.driver.type('username', name); c.driver.type('password', password); c.driver.click('enter');
    await w.settle();
    return c.driver.text('error');
  };
  assert.equal(await attempt('two words'), 'Names are 1 to 32 letters, digits, dots, dashes or underscores.');
  assert.equal(await attempt('system'), 'That name is reserved.');
  assert.equal(await attempt('ALICE'), 'This name is registered: enter its password.');
  assert.equal(await attempt('alice', 'nope'), 'Wrong password.');
  assert.equal(c.driver.text('password'), '', 'a refused password is cleared');
  const bob = await w.signIn('bob');
  assert.equal(await attempt('Bob'), 'That name is taken. Please pick another one.');
  assert.ok(bob.driver.has('messages'));
  assert.equal(c.driver.has('messages'), false);
  const ru = await w.open(['ru']);
  ru.driver.type('username', 'bob'); ru.driver.click('enter'); await w.settle();
  assert.equal(ru.driver.text('error'), 'Это имя занято. Выберите другое.');
});

test('chat across channels without cross-talk; one new per viewer per message, one delete per deletion', async () => {
  const w = await chatWorld();
  const alice = await w.signIn('alice');
  const bob = await w.signIn('bob');
  const lei = await w.signIn('李雷');
  // alice creates #random and goes there; 李雷 follows; bob stays in general.
  alice.driver.click('open-new-channel'); await w.settle();
  alice.driver.type('name', 'random'); alice.driver.click('create'); await w.settle();
  assert.equal(alice.driver.text('topic'), '# random');
  lei.driver.select('channels', lei.driver.items('channels').find(c => c.text === 'random')!.value as string); await w.settle();   // keys are look-alike skeletons
  assert.deepEqual(texts(bob.driver, 'users'), ['bob']);
  assert.ok(texts(bob.driver).includes('* alice has left'));

  const before = [alice, bob, lei].map(c => c.driver.log.length);
  lei.driver.type('message', '你好，大家！'); lei.driver.click('send'); await w.settle();
  const added = [alice, bob, lei].map((c, i) => c.driver.log.slice(before[i]));
  assert.deepEqual(added[0].map(c => c.op), ['new'], 'alice gets exactly one command');
  assert.deepEqual(added[1], [], 'bob, in general, gets nothing');
  assert.deepEqual(added[2].filter(c => c.op === 'new').length, 1);
  assert.equal(lei.driver.text('message'), '', 'the message box is emptied after sending');
  assert.deepEqual(messages(alice.driver), ['你好，大家！']);
  const item = alice.driver.items('messages').find(a => a.text === '你好，大家！')!;
  assert.equal(item.author, '李雷');
  assert.match(String(item.time), /^\d\d:\d\d$/);
  assert.equal(item.mine, false);
  assert.equal(lei.driver.items('messages').find(a => a.text === '你好，大家！')!.mine, true);

  bob.driver.type('message', 'anyone in general?'); bob.driver.click('send'); await w.settle();
  assert.deepEqual(messages(alice.driver), ['你好，大家！']);

  // 李雷 deletes her message after confirming; each viewer gets exactly one delete.
  const value = String(item.value);
  const shownAt = alice.driver.tree.find(n => n.attrs.value === value)!.id;
  lei.driver.activate('messages', value); await w.settle();
  assert.equal(lei.driver.popup?.attrs.name, 'confirm-delete');
  const mark = [alice, lei].map(c => c.driver.log.length);
  lei.driver.click('yes'); await w.settle();
  assert.deepEqual(alice.driver.log.slice(mark[0]), [{ op: 'delete', id: shownAt }]);
  assert.equal(lei.driver.log.slice(mark[1]).filter(c => c.op === 'delete').length, 2, 'the popup and the message');
  assert.deepEqual(messages(alice.driver), []);
  assert.deepEqual(w.errors, []);
});

test('a user cannot delete someone else\'s message, and a "no" keeps one\'s own', async () => {
  const w = await chatWorld();
  const alice = await w.signIn('alice');
  const bob = await w.signIn('bob');
  alice.driver.type('message', 'keep me'); alice.driver.click('send'); await w.settle();
  const value = String(bob.driver.items('messages').find(a => a.text === 'keep me')!.value);
  bob.driver.activate('messages', value); await w.settle();
  assert.equal(bob.driver.popup, undefined);
  assert.equal(texts(bob.driver).at(-1), 'You can only delete your own messages.');
  alice.driver.activate('messages', value); await w.settle();
  alice.driver.click('no'); await w.settle();
  assert.deepEqual(messages(bob.driver), ['keep me']);
  assert.deepEqual((await w.chat.history('general')).map(m => m.text), ['keep me']);
});

test('150 messages leave 100 items; older pages back 100 at a time', async () => {
  const w = await chatWorld({ messageLimit: { count: 1000, windowMs: 1000 } });
  const alice = await w.signIn('alice');
  const bob = await w.signIn('bob');
  for (let i = 1; i <= 150; i++) { alice.driver.type('message', `m${i}`); alice.driver.click('send'); }
  await w.settle();
  assert.equal(bob.driver.items('messages').length, 100);
  assert.equal(bob.session.widgetCount(), bob.driver.tree.size);
  assert.deepEqual([texts(bob.driver)[0], texts(bob.driver)[99]], ['m51', 'm150']);

  bob.driver.click('older'); await w.settle();
  assert.deepEqual(messages(bob.driver), Array.from({ length: 50 }, (_, i) => `m${i + 1}`));
  assert.equal(bob.driver.find('latest').attrs.visible, true);
  alice.driver.type('message', 'while bob reads history'); alice.driver.click('send'); await w.settle();
  assert.equal(messages(bob.driver).length, 50, 'live messages wait while an older page is shown');
  bob.driver.click('older'); await w.settle();
  assert.equal(texts(bob.driver).at(-1), 'No older messages.');
  bob.driver.click('latest'); await w.settle();
  assert.equal(messages(bob.driver).at(-1), 'while bob reads history');
  assert.equal(bob.driver.items('messages').length, 100);
  assert.equal(bob.driver.find('latest').attrs.visible, false);
});

test('an administrator\'s alert opens on every signed-in session; messages keep arriving beneath it', async () => {
  const w = await chatWorld({ admins: ['root'] });
  const root = await w.signIn('root', 'rootpass');
  const alice = await w.signIn('alice');
  const lei = await w.signIn('李雷', undefined, ['zh-CN']);
  const outsider = await w.open();
  root.driver.click('open-send-alert'); await w.settle();
  root.driver.type('text', 'Restart at noon'); root.driver.click('send'); await w.settle();
  for (const c of [root, alice, lei]) {
    assert.equal(c.driver.popup?.attrs.name, 'alert');
    assert.equal(c.driver.text('text'), 'Restart at noon');
  }
  assert.equal(lei.driver.text('from')?.toString().includes('root'), true);
  assert.equal(outsider.driver.popup, undefined, 'nobody signed in, no alert');
  root.driver.click('ok'); await w.settle();
  assert.equal(root.driver.popup, undefined);
  root.driver.type('message', 'below the alert'); root.driver.click('send'); await w.settle();
  assert.equal(alice.driver.popup?.attrs.name, 'alert');
  assert.ok(messages(alice.driver).includes('below the alert'));
  alice.driver.click('send');  // beneath the popup: refused
  await w.settle();
  assert.equal(alice.driver.errors.at(-1)?.code, 'modal');
  assert.deepEqual((await w.store.alerts(5)).map(a => a.text), ['Restart at noon']);
});

test('restricted channel creation: no button without the grant; granted users may', async () => {
  const w = await chatWorld({ admins: ['root'], restrictChannels: true });
  const root = await w.signIn('root', 'rootpass');
  const bob = await w.signIn('bob', 'bobpass');   // grants are for registered names
  assert.equal(bob.driver.find('open-new-channel').attrs.visible, false);
  assert.equal(root.driver.find('open-new-channel').attrs.visible, true);
  await w.chat.grant((root.session.state.login)!, 'bob');
  bob.driver.click('sign-out'); await w.settle();
  const bob2 = await w.signIn('bob', 'bobpass');
  bob2.driver.click('open-new-channel'); await w.settle();
  bob2.driver.type('name', 'bobs place'); bob2.driver.click('create'); await w.settle();
  assert.equal(bob2.driver.text('error'), 'Channel names are 1 to 40 letters, digits, dots, dashes or underscores.');
  bob2.driver.type('name', 'General'); bob2.driver.click('create'); await w.settle();
  assert.equal(bob2.driver.text('error'), 'A channel with that name exists already.');
  bob2.driver.type('name', 'bobs-place'); bob2.driver.submit('name'); await w.settle();
  assert.equal(bob2.driver.popup, undefined);
  assert.equal(bob2.driver.text('topic'), '# bobs-place');
  assert.ok(texts(root.driver, 'channels').includes('bobs-place'), 'others see the new channel in their list');
});

test('a big channel lists 50 people and how many more, and announces joins together', async () => {
  const w = await chatWorld({ announceEachUpTo: 3, crowdIntervalMs: 30 });
  const watcher = await w.signIn('aaa-watcher');
  for (let i = 0; i < 55; i++) await w.signIn(`user${String(i).padStart(2, '0')}`);
  await new Promise(r => setTimeout(r, 80));
  await w.settle();
  const users = texts(watcher.driver, 'users');
  assert.equal(users.length, 51);
  assert.deepEqual([users[0], users[49], users[50]], ['aaa-watcher', 'user48', 'and 6 more']);
  const notes = texts(watcher.driver).filter(t => String(t).startsWith('*'));
  assert.deepEqual(notes.slice(0, 3), ['* aaa-watcher has joined', '* user00 has joined', '* user01 has joined']);
  assert.ok(notes.some(t => /^\* \d+ people joined$/.test(String(t))));
  assert.ok(notes.length < 10, 'not one line per join');
});

test('sign-out announces the leave, ends the session\'s presence and shows login', async () => {
  const w = await chatWorld();
  const alice = await w.signIn('alice');
  const bob = await w.signIn('bob');
  bob.driver.click('sign-out'); await w.settle();
  assert.ok(bob.driver.has('username'));
  assert.equal(bob.driver.forbiddenCount, 2);
  assert.equal(texts(alice.driver).at(-1), '* bob has left');
  assert.deepEqual(texts(alice.driver, 'users'), ['alice']);
  bob.driver.type('username', 'bob'); bob.driver.click('enter'); await w.settle();
  assert.equal(bob.driver.text('topic'), '# general', 'the name was free again');
});

test('signing in again opens the last channel', async () => {
  const w = await chatWorld();
  const alice = await w.signIn('alice', 'pass1234');
  alice.driver.click('open-new-channel'); await w.settle();
  alice.driver.type('name', 'books'); alice.driver.click('create'); await w.settle();
  alice.driver.click('sign-out'); await w.settle();
  const again = await w.signIn('alice', 'pass1234');
  assert.equal(again.driver.text('topic'), '# books');
});

test('registering a password from the main screen keeps the name', async () => {
  const w = await chatWorld();
  const alice = await w.signIn('alice');
  alice.driver.click('open-register'); await w.settle();
  alice.driver.type('password', 'secret1'); alice.driver.type('repeat', 'secret2'); alice.driver.click('save'); await w.settle();
  assert.equal(alice.driver.text('error'), 'The two passwords differ.');
  alice.driver.type('repeat', 'secret1'); alice.driver.click('save'); await w.settle();
  assert.equal(alice.driver.popup, undefined);
  assert.equal(alice.driver.find('open-register').attrs.visible, false);
  alice.driver.click('sign-out'); await w.settle();
  const thief = await w.signIn('alice');
  assert.equal(thief.driver.text('error'), 'This name is registered: enter its password.');
});

test('a session rebuilt from its snapshot in the middle of an open popup equals the live one', async () => {
  const w = await chatWorld();
  const alice = await w.signIn('alice');
  alice.driver.type('message', 'to be deleted'); alice.driver.click('send'); await w.settle();
  alice.driver.type('message', 'half-typed draft'); await w.settle();
  alice.driver.activate('messages', String(alice.driver.items('messages').find(a => a.text === 'to be deleted')!.value)); await w.settle();
  assert.equal(alice.driver.popup?.attrs.name, 'confirm-delete');
  const rebuilt = new HeadlessDriver();
  for (const c of alice.session.snapshot()) apply(rebuilt, c);
  assert.deepEqual(rebuilt.shown(), alice.driver.shown());
  assert.equal(rebuilt.text('message'), 'half-typed draft');
  assert.equal(rebuilt.popup?.attrs.name, 'confirm-delete');
});

test('the same screens in Russian and Chinese', async () => {
  const w = await chatWorld();
  const login = await w.open(['ru-RU']);
  assert.equal(login.driver.text('enter'), 'Войти');
  const ivan = await w.signIn('иван', undefined, ['ru']);
  assert.equal(ivan.driver.text('send'), 'Отправить');
  assert.equal(ivan.driver.text('me'), 'Вы вошли как иван');
  const lei = await w.signIn('李雷', undefined, ['zh-CN', 'en']);
  assert.equal(lei.driver.text('send'), '发送');
  assert.equal(lei.driver.text('sign-out'), '退出');
  assert.equal(texts(ivan.driver).at(-1), '* 李雷 входит в канал');
  assert.equal(texts(lei.driver).at(-1), '* 李雷 加入了频道');
});

test('a front-end that cannot draw popups gets an alert in the conversation instead', async () => {
  const w = await chatWorld({ admins: ['root'] });
  const root = await w.signIn('root', 'rootpass');
  const { Session } = await import('../../core/session.ts');
  const plain = new HeadlessDriver(['en'], ['lists']);
  const session = new Session(w.app, plain);
  w.sessions.push(session);
  await session.start(null);
  await w.settle();
  plain.type('username', 'lina'); plain.click('enter'); await w.settle();
  assert.equal(session.can('popups'), false);
  root.driver.click('open-send-alert'); await w.settle();
  root.driver.type('text', 'Restart at noon'); root.driver.click('send'); await w.settle();
  assert.equal(root.driver.popup?.attrs.name, 'alert', 'a front-end with popups gets the popup');
  assert.equal(plain.popup, undefined);
  assert.ok(texts(plain).some(t => /^Alert from root at \d\d:\d\d: Restart at noon$/.test(String(t))), 'the alert as a note');
});
