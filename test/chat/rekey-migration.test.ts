// Migration 2: a database from before look-alike names were one name is re-keyed when opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ChatError } from '../../chat/errors.ts';
import { openChat, tempDir } from '../support/chat.ts';

// Schema 1 as it was, and rows keyed the old way (NFKC, lowercase).
const SCHEMA_1 = `CREATE TABLE users (key TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT, last_channel TEXT, created_at INTEGER NOT NULL);
   CREATE TABLE logins (token_hash TEXT PRIMARY KEY, user_key TEXT NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX logins_by_user ON logins (user_key, expires_at);
   CREATE TABLE channels (key TEXT PRIMARY KEY, name TEXT NOT NULL, creator TEXT, created_at INTEGER NOT NULL);
   CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, author TEXT NOT NULL, author_key TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX messages_by_channel ON messages (channel, id);
   CREATE TABLE grants (user_key TEXT NOT NULL, permission TEXT NOT NULL, granted_by TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (user_key, permission));
   CREATE TABLE alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, author TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);`;

test('opening a schema-1 database re-keys users and channels; look-alikes that collide keep one owner', async () => {
  const file = join(await tempDir(), 'palaver.db');
  // Old hashes of real passwords, made by the chat itself.
  const source = await openChat();
  await source.chat.signOut(await source.chat.signIn('torn', 'torns-password'));
  await source.chat.signOut(await source.chat.signIn('emma', 'emmas-password'));
  const hash = async (key: string) => (await source.store.getUser(key))!.passwordHash;
  const [tornHash, emmaHash] = [await hash('torn'), await hash('ernrna')];
  const future = Date.now() + 3_600_000;

  const db = new Database(file);
  db.exec(SCHEMA_1);
  db.pragma('user_version = 1');
  const user = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?)');
  user.run('tom', 'tom', null, 'gaming', 1);                // older, unregistered
  user.run('torn', 'torn', tornHash, null, 2);             // newer, registered: keeps the key
  user.run('emma', 'Emma', emmaHash, 'garning', 3);        // no collision
  db.prepare('INSERT INTO logins VALUES (?, ?, ?, ?, ?)').run('tomtoken', 'tom', 'tom', 1, future);
  db.prepare('INSERT INTO grants VALUES (?, ?, ?, ?)').run('emma', 'create-channel', 'root', 1);
  db.prepare('INSERT INTO grants VALUES (?, ?, ?, ?)').run('tom', 'create-channel', 'root', 1);
  const channel = db.prepare('INSERT INTO channels VALUES (?, ?, ?, ?)');
  channel.run('general', 'general', null, 0);
  channel.run('gaming', 'Gaming', 'tom', 1);
  channel.run('garning', 'garning', 'emma', 2);
  const message = db.prepare('INSERT INTO messages (channel, author, author_key, text, at) VALUES (?, ?, ?, ?, ?)');
  message.run('gaming', 'tom', 'tom', 'by tom in gaming', 1);
  message.run('garning', 'Emma', 'emma', 'by emma in garning', 2);
  message.run('gaming', 'torn', 'torn', 'by torn in gaming', 3);
  db.close();

  const { chat, store } = await openChat(file);
  // torn (registered) kept the key; tom's account ended: its sign-in and grant are gone.
  assert.equal((await store.getUser('torn'))?.name, 'torn');
  assert.equal(await store.getLogin('tomtoken'), null);
  assert.equal(await store.hasGrant('torn', 'create-channel'), false, 'tom\'s grant did not pass to torn');
  await assert.rejects(chat.signIn('tom'), (e: unknown) => e instanceof ChatError && e.code === 'password-required', 'tom is torn now');
  const emma = await chat.signIn('Emma', 'emmas-password');
  assert.equal(emma.key, 'ernrna');
  assert.equal(await store.hasGrant('ernrna', 'create-channel'), true, 'grants follow the new key');
  // Gaming (older) kept the key; garning lives on under a key no name can have.
  const channels = await chat.listChannels();
  assert.deepEqual(channels.map(c => [c.key, c.name]), [['general', 'general'], ['garning', 'Gaming'], ['garning~2', 'garning']]);
  assert.deepEqual((await chat.history('garning')).map(m => [m.text, m.authorKey]), [['by tom in gaming', ''], ['by torn in gaming', 'torn']]);
  assert.deepEqual((await chat.history('garning~2')).map(m => [m.text, m.authorKey]), [['by emma in garning', 'ernrna']]);
  assert.equal((await chat.lastChannel(emma)).name, 'garning', 'last channels follow their channel');
  await assert.rejects(chat.createChannel(emma, 'gaming'), (e: unknown) => e instanceof ChatError && e.code === 'channel-exists');
  await store.close();
  await source.store.close();
});
