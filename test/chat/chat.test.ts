import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ChatError } from '../../chat/errors.ts';
import type { ChannelEvent, GlobalEvent } from '../../chat/bus.ts';
import { SqliteStore } from '../../chat/sqlite-store.ts';
import { openChat, fakeClock, tempDir } from '../support/chat.ts';

async function refused(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof ChatError && e.code === code, `expected refusal ${code}`);
}

test('usernames: any script, NFKC, 1–32 characters; bad and reserved names refused', async () => {
  const { chat } = await openChat();
  for (const ok of ['alice', '李雷', 'Émile.B', 'bob_2-x', 'x'.repeat(32)]) assert.equal((await chat.signIn(ok)).name, ok);
  assert.equal((await chat.signIn('ｃａｒｏｌ')).name, 'carol', 'fullwidth letters fold to ASCII under NFKC');
  for (const bad of ['', ' ', 'two words', 'tab\there', 'bell\u0007', 'x'.repeat(33), 'emoji🙂', 'a/b']) {
    await refused(chat.signIn(bad), 'name-invalid');
  }
  for (const reserved of ['system', 'Admin', 'ALL', 'everyone', 'here']) await refused(chat.signIn(reserved), 'name-reserved');
});

test('a name is unique case-insensitively among signed-in users, and free again after sign-out', async () => {
  const { chat } = await openChat();
  const alice = await chat.signIn('alice');
  await refused(chat.signIn('ALICE'), 'name-taken');
  await refused(chat.signIn('ａｌｉｃｅ'), 'name-taken');
  await chat.signOut(alice);
  assert.equal((await chat.signIn('Alice')).name, 'Alice', 'whoever holds an unregistered name spells it');
});

test('a sign-in that is not kept alive expires and frees the name', async () => {
  const now = fakeClock();
  const { chat, store } = await openChat(':memory:', { loginTtlMs: 60_000 }, now);
  const bob = await chat.signIn('bob');
  now.advance(30_000);
  assert.equal((await chat.resume(bob.token))?.name, 'bob', 'resuming renews the sign-in');
  now.advance(45_000);
  await refused(chat.signIn('bob'), 'name-taken');
  assert.equal((await chat.resume(bob.token))?.name, 'bob');
  now.advance(61_000);
  assert.equal(await chat.resume(bob.token), null);
  assert.equal(await chat.sweep(), 1, 'the expired sign-in is deleted');
  assert.equal(await store.hasActiveLogin('bob', now()), false);
  assert.equal((await chat.signIn('bob')).name, 'bob');
  chat.close();
});

test('a registered name needs its password; failed attempts are limited to 5 per 15 minutes', async () => {
  const now = fakeClock();
  const { chat, store } = await openChat(':memory:', {}, now);
  const alice = await chat.signIn('alice');
  await chat.registerPassword(alice, 'correct horse');
  assert.match((await store.getUser('alice'))!.passwordHash!, /^scrypt\$16384\$8\$1\$/);
  await chat.signOut(alice);
  await refused(chat.signIn('alice'), 'password-required');
  for (let i = 0; i < 5; i++) await refused(chat.signIn('alice', `guess ${i}`), 'wrong-password');
  await refused(chat.signIn('alice', 'correct horse'), 'rate-limited');
  now.advance(15 * 60_000 + 1);
  assert.equal((await chat.signIn('Alice', 'correct horse')).name, 'alice');
  assert.equal((await chat.signIn('alice', 'correct horse')).name, 'alice', 'the owner may sign in from two places');
});

test('a password given with an unregistered name registers it', async () => {
  const { chat } = await openChat();
  const carol = await chat.signIn('carol', 'secret!');
  assert.equal(await chat.isRegistered(carol), true);
  await refused(chat.signIn('carol', 'nope'), 'wrong-password');
  await refused(chat.signIn('dave', 'x'), 'password-invalid');
});

test('administrators are configured names, and only once registered with a password', async () => {
  const { chat, bus, store } = await openChat(':memory:', { admins: ['Root'] });
  const alerts: GlobalEvent[] = [];
  await bus.subscribeGlobal(e => alerts.push(e));
  const root = await chat.signIn('root');
  await refused(chat.alert(root, 'hello'), 'not-allowed');
  await chat.registerPassword(root, 'pass word');
  await chat.alert(root, '  Server restarts at noon  ');
  const bob = await chat.signIn('bob');
  await refused(chat.alert(bob, 'fake'), 'not-allowed');
  const sent = alerts.filter(e => e.type === 'alert');
  assert.equal(sent.length, 1);
  assert.equal(sent[0].type === 'alert' && sent[0].alert.text, 'Server restarts at noon');
  assert.deepEqual((await store.alerts(10)).map(a => [a.author, a.text]), [['root', 'Server restarts at noon']]);
});

test('channels: general exists; create, list with creator and time; names unique case-insensitively', async () => {
  const now = fakeClock();
  const { chat } = await openChat(':memory:', {}, now);
  const alice = await chat.signIn('alice');
  assert.deepEqual((await chat.listChannels()).map(c => c.name), ['general']);
  now.advance(1000);
  const ch = await chat.createChannel(alice, 'Random');
  assert.deepEqual({ ...ch }, { key: 'randorn', name: 'Random', creator: 'alice', createdAt: now() }, 'the key is the look-alike skeleton: m looks like rn');
  await refused(chat.createChannel(alice, 'RANDOM'), 'channel-exists');
  await refused(chat.createChannel(alice, 'has space'), 'channel-invalid');
  await refused(chat.createChannel(alice, 'x'.repeat(41)), 'channel-invalid');
  await refused(chat.channel('nowhere'), 'no-such-channel');
  assert.deepEqual((await chat.listChannels()).map(c => [c.name, c.creator]), [['general', null], ['Random', 'alice']]);
});

test('restricted channel creation: administrators and granted users only', async () => {
  const { chat } = await openChat(':memory:', { admins: ['root'], restrictChannels: true });
  const root = await chat.signIn('root', 'rootpass');
  const bob = await chat.signIn('bob', 'bobpass');   // grants are for registered names
  await refused(chat.createChannel(bob, 'bobs'), 'not-allowed');
  await refused(chat.grant(bob, 'bob'), 'not-allowed');
  await chat.createChannel(root, 'ops');
  await chat.grant(root, 'bob');
  assert.equal((await chat.createChannel(bob, 'bobs')).name, 'bobs');
  await chat.revoke(root, 'bob');
  await refused(chat.createChannel(bob, 'more'), 'not-allowed');
});

test('messages: server time, trimmed, control characters removed, 1–4,000 characters', async () => {
  const now = fakeClock();
  const { chat } = await openChat(':memory:', {}, now);
  const alice = await chat.signIn('alice');
  const m = await chat.send(alice, 'general', '  hi\u0007 there\r\n\tindented\u001b[2J  ');
  assert.equal(m.text, 'hi there\n\tindented[2J');
  assert.equal(m.at, now());
  assert.equal(m.author, 'alice');
  await refused(chat.send(alice, 'general', '   \n '), 'empty');
  await refused(chat.send(alice, 'general', 'x'.repeat(4001)), 'too-long');
  // The limit counts characters, not UTF-16 units, and longer text is refused whole.
  const emoji = '😀'.repeat(4000);
  assert.equal((await chat.send(alice, 'general', emoji)).text, emoji);
  await refused(chat.send(alice, 'general', emoji + '😀'), 'too-long');
  assert.equal((await chat.send(alice, 'general', '字'.repeat(4000))).text.length, 4000);
  await refused(chat.send(alice, 'nowhere', 'hi'), 'no-such-channel');
});

test('a channel gives its last 100 messages, and older ones 100 at a time before an id', async () => {
  const { chat } = await openChat(':memory:', { messageLimit: { count: 1000, windowMs: 1000 } });
  const alice = await chat.signIn('alice');
  for (let i = 1; i <= 250; i++) await chat.send(alice, 'general', `m${i}`);
  const last = await chat.history('general');
  assert.deepEqual([last.length, last[0].text, last[99].text], [100, 'm151', 'm250']);
  const older = await chat.history('general', last[0].id);
  assert.deepEqual([older.length, older[0].text, older[99].text], [100, 'm51', 'm150']);
  const oldest = await chat.history('general', older[0].id);
  assert.deepEqual([oldest.length, oldest[0].text], [50, 'm1']);
  assert.deepEqual(await chat.history('general', oldest[0].id), []);
});

test('a user deletes their own messages, never another\'s; deletion is published', async () => {
  const { chat, bus } = await openChat();
  const seen: ChannelEvent[] = [];
  await bus.subscribeChannel('general', e => seen.push(e));
  const alice = await chat.signIn('alice');
  const bob = await chat.signIn('bob');
  const m = await chat.send(alice, 'general', 'mine');
  await refused(chat.deleteMessage(bob, m.id), 'not-allowed');
  await chat.deleteMessage(alice, m.id);
  await refused(chat.deleteMessage(alice, m.id), 'no-such-message');
  assert.deepEqual(seen.map(e => e.type), ['message', 'deleted']);
  assert.deepEqual(await chat.history('general'), []);
});

test('at most 10 messages per 10 seconds per user', async () => {
  const now = fakeClock();
  const { chat } = await openChat(':memory:', {}, now);
  const alice = await chat.signIn('alice');
  const bob = await chat.signIn('bob');
  for (let i = 0; i < 10; i++) await chat.send(alice, 'general', `m${i}`);
  await refused(chat.send(alice, 'general', 'one too many'), 'rate-limited');
  await chat.send(bob, 'general', 'bob is not limited by alice');
  now.advance(10_001);
  await chat.send(alice, 'general', 'later');
});

test('presence: joins and leaves are announced once per user, whatever the number of sessions', async () => {
  const { chat, bus } = await openChat();
  const seen: string[] = [];
  await bus.subscribeChannel('general', e => { if (e.type === 'joined' || e.type === 'left') seen.push(`${e.type} ${e.name}`); });
  const alice = await chat.signIn('alice');
  const bob = await chat.signIn('bob');
  await chat.join(alice, 'general', 's1');
  await chat.join(alice, 'general', 's2');
  await chat.join(bob, 'general', 's3');
  assert.deepEqual(chat.present('general'), ['alice', 'bob']);
  await chat.leave(alice, 'general', 's1');
  assert.deepEqual(chat.present('general'), ['alice', 'bob']);
  await chat.leave(alice, 'general', 's2');
  assert.deepEqual(chat.present('general'), ['bob']);
  assert.deepEqual(seen, ['joined alice', 'joined bob', 'left alice']);
  assert.equal((await chat.lastChannel(bob)).key, 'general');
});

test('in a big channel, joins and leaves are counted and announced together', async () => {
  const { chat, bus } = await openChat(':memory:', { announceEachUpTo: 2, crowdIntervalMs: 50 });
  const seen: string[] = [];
  await bus.subscribeChannel('general', e => {
    if (e.type === 'joined' || e.type === 'left') seen.push(`${e.type} ${e.name}`);
    if (e.type === 'crowd') seen.push(`crowd +${e.joined} -${e.left}`);
  });
  const logins = await Promise.all(['dora', 'Bea', 'al', 'cy', 'ed'].map(n => chat.signIn(n)));
  for (const [i, l] of logins.entries()) await chat.join(l, 'general', `s${i}`);
  await chat.leave(logins[4], 'general', 's4');
  assert.deepEqual(seen, ['joined dora', 'joined Bea']);
  // The crowd is announced by a timer: wait for it rather than for a fixed time.
  for (const deadline = Date.now() + 5000; seen.length < 3 && Date.now() < deadline;) await new Promise(r => setTimeout(r, 10));
  assert.deepEqual(seen, ['joined dora', 'joined Bea', 'crowd +3 -1']);
  assert.deepEqual(chat.present('general'), ['al', 'Bea', 'cy', 'dora'], 'sorted by name, case aside');
  assert.equal(chat.presentCount('general'), 4);
  chat.close();
});

test('the last page of a channel is the same frozen objects for everyone, and stays right', async () => {
  const { chat } = await openChat(':memory:', { messageLimit: { count: 1000, windowMs: 1000 } });
  const alice = await chat.signIn('alice');
  for (let i = 1; i <= 105; i++) await chat.send(alice, 'general', `m${i}`);
  const a = await chat.history('general');
  const b = await chat.history('general');
  assert.equal(a.length, 100);
  assert.ok(a.every((m, i) => m === b[i] && Object.isFrozen(m)));
  const sent = await chat.send(alice, 'general', 'm106');
  const c = await chat.history('general');
  assert.equal(c.at(-1), sent);
  assert.deepEqual([c.length, c[0].text], [100, 'm7']);
  await chat.deleteMessage(alice, c[50].id);
  const d = await chat.history('general');
  assert.deepEqual([d.length, d[0].text], [100, 'm6'], 'after a deletion the page is read again');
  assert.ok(!d.some(m => m.id === c[50].id));
});

test('closing and reopening the database keeps users, passwords, channels, messages and last channels', async () => {
  const file = join(await tempDir(), 'palaver.db');
  {
    const { chat, store } = await openChat(file);
    const alice = await chat.signIn('alice', 'pass1234');
    const random = await chat.createChannel(alice, 'random');
    await chat.join(alice, random.key, 's1');
    await chat.send(alice, random.key, 'still here after a restart');
    await store.close();
  }
  const { chat, store } = await openChat(file);
  await refused(chat.signIn('alice', 'wrong'), 'wrong-password');
  const alice = await chat.signIn('alice', 'pass1234');
  assert.equal((await chat.lastChannel(alice)).name, 'random');
  assert.deepEqual((await chat.history((await chat.channel('random')).key)).map(m => m.text), ['still here after a restart']);
  assert.deepEqual((await chat.listChannels()).map(c => c.name), ['general', 'random']);
  await store.close();
});

test('50 concurrent senders: each message stored once, ids increasing, every subscriber gets id order', async () => {
  const { chat, bus } = await openChat(':memory:', { messageLimit: { count: 100, windowMs: 1000 } });
  const subscribers = Array.from({ length: 5 }, () => [] as number[]);
  for (const got of subscribers) await bus.subscribeChannel('general', e => { if (e.type === 'message') got.push(e.message.id); });
  const logins = await Promise.all(Array.from({ length: 50 }, (_, i) => chat.signIn(`sender${i}`)));
  const sent = await Promise.all(logins.flatMap(l => Array.from({ length: 4 }, (_, j) => chat.send(l, 'general', `${l.name}:${j}`))));
  const stored = await chat.history('general', undefined, 1000);
  assert.equal(stored.length, 200);
  assert.equal(new Set(stored.map(m => m.text)).size, 200);
  const ids = stored.map(m => m.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  assert.deepEqual(new Set(sent.map(m => m.id)), new Set(ids));
  for (const got of subscribers) assert.deepEqual(got, ids);
});

test('a process killed mid-stream leaves a database that opens with every message whose send returned', async () => {
  const file = join(await tempDir(), 'crash.db');
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../support/send-forever.ts', import.meta.url).pathname, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acknowledged: number[] = [];
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      acknowledged.push(...lines.map(Number));
      if (acknowledged.length >= 300 && !child.killed) { child.kill('SIGKILL'); resolve(); }
    });
    child.on('exit', code => { if (!child.killed) reject(new Error(`sender exited early with ${code}`)); });
  });
  await new Promise(r => child.once('close', r));
  const store = new SqliteStore(file);
  const stored = new Set((await store.messages('general', 1_000_000)).map(m => m.id));
  const lost = acknowledged.filter(id => !stored.has(id));
  assert.deepEqual(lost, []);
  assert.ok(stored.size >= acknowledged.length);
  await store.close();
});
