// A migration: re-keys stored users and channels when the key function (names.ts `nameKey`)
// changes, as it did when names that look alike became one name. Rows whose names now share a
// key cannot all keep it:
// - users: the one registered with a password (the oldest, if several) keeps the key, else the
//   oldest; the others' accounts end: their sign-ins, password and grants go; their messages
//   stay, under their display name, deletable by no one (author key '').
// - channels: the oldest keeps the key; the others keep their messages under `key~2`, `key~3`…,
//   a key no name can have (`~` is not a name character), still listed and readable.
// Run it again (as a new migration) whenever the confusables data or the key function changes.
import type Database from 'better-sqlite3';
import { nameKey } from './names.ts';

type Row = Record<string, unknown>;

export function rekey(db: Database.Database): void {
  const users = db.prepare('SELECT key, name FROM users ORDER BY password_hash IS NULL, created_at, key').all() as Row[];
  const userMap = new Map<string, string>();
  const taken = new Set<string>();
  for (const u of users) {
    const key = nameKey(u.name as string);
    userMap.set(u.key as string, taken.has(key) ? '' : key);
    taken.add(key);
  }
  const channels = db.prepare('SELECT key, name FROM channels ORDER BY created_at, key').all() as Row[];
  const channelMap = new Map<string, string>();
  const count = new Map<string, number>();
  for (const c of channels) {
    const key = nameKey(c.name as string);
    const n = (count.get(key) ?? 0) + 1;
    count.set(key, n);
    channelMap.set(c.key as string, n === 1 ? key : `${key}~${n}`);
  }

  db.exec('CREATE TEMP TABLE user_keys (old TEXT PRIMARY KEY, new TEXT NOT NULL); CREATE TEMP TABLE channel_keys (old TEXT PRIMARY KEY, new TEXT NOT NULL)');
  const addUser = db.prepare('INSERT INTO user_keys VALUES (?, ?)');
  for (const [old, key] of userMap) addUser.run(old, key);
  const addChannel = db.prepare('INSERT INTO channel_keys VALUES (?, ?)');
  for (const [old, key] of channelMap) addChannel.run(old, key);

  // One UPDATE per table reads every row's old key, so a key moving onto another's old key
  // cannot be moved twice; primary keys go through a prefix so no two rows meet midway.
  db.exec(`
    DELETE FROM users WHERE key IN (SELECT old FROM user_keys WHERE new = '');
    DELETE FROM logins WHERE user_key IN (SELECT old FROM user_keys WHERE new = '');
    DELETE FROM grants WHERE user_key IN (SELECT old FROM user_keys WHERE new = '');
    UPDATE users SET key = char(1) || key;
    UPDATE users SET key = (SELECT new FROM user_keys WHERE old = substr(users.key, 2)),
                     last_channel = coalesce((SELECT new FROM channel_keys WHERE old = users.last_channel), last_channel);
    UPDATE logins SET user_key = coalesce((SELECT new FROM user_keys WHERE old = logins.user_key), user_key);
    UPDATE grants SET user_key = char(1) || user_key;
    UPDATE grants SET user_key = coalesce((SELECT new FROM user_keys WHERE old = substr(grants.user_key, 2)), substr(user_key, 2));
    UPDATE messages SET author_key = coalesce((SELECT new FROM user_keys WHERE old = messages.author_key), author_key),
                        channel = coalesce((SELECT new FROM channel_keys WHERE old = messages.channel), channel);
    UPDATE channels SET key = char(1) || key;
    UPDATE channels SET key = (SELECT new FROM channel_keys WHERE old = substr(channels.key, 2));
    DROP TABLE user_keys; DROP TABLE channel_keys;`);
}
