// The default store: SQLite through better-sqlite3, in WAL mode, with versioned migrations.
// synchronous=NORMAL: a committed send survives a crash of the process; a power cut may lose
// the last moments (set PALAVER_SQLITE_SYNC=FULL to trade speed for that).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { rekey } from './sqlite-rekey.ts';
import type { Alert, Channel, ChatStore, LoginRecord, Message, UserRecord } from './store.ts';

/** SQL, or a function for what SQL alone cannot compute. Each runs once, in a transaction. */
const MIGRATIONS: (string | ((db: Database.Database) => void))[] = [
  `CREATE TABLE users (key TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT, last_channel TEXT, created_at INTEGER NOT NULL);
   CREATE TABLE logins (token_hash TEXT PRIMARY KEY, user_key TEXT NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX logins_by_user ON logins (user_key, expires_at);
   CREATE TABLE channels (key TEXT PRIMARY KEY, name TEXT NOT NULL, creator TEXT, created_at INTEGER NOT NULL);
   CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, author TEXT NOT NULL, author_key TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX messages_by_channel ON messages (channel, id);
   CREATE TABLE grants (user_key TEXT NOT NULL, permission TEXT NOT NULL, granted_by TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (user_key, permission));
   CREATE TABLE alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, author TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);`,
  // 2: names that look alike became one name (the key is the confusables skeleton).
  rekey,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

type Row = Record<string, unknown>;
const user = (r: Row): UserRecord => ({ key: r.key as string, name: r.name as string, passwordHash: (r.password_hash as string) ?? null, lastChannel: (r.last_channel as string) ?? null, createdAt: r.created_at as number });
const login = (r: Row): LoginRecord => ({ tokenHash: r.token_hash as string, userKey: r.user_key as string, name: r.name as string, createdAt: r.created_at as number, expiresAt: r.expires_at as number });
const channel = (r: Row): Channel => ({ key: r.key as string, name: r.name as string, creator: (r.creator as string) ?? null, createdAt: r.created_at as number });
const message = (r: Row): Message => ({ id: r.id as number, channel: r.channel as string, author: r.author as string, authorKey: r.author_key as string, text: r.text as string, at: r.at as number });

export class SqliteStore implements ChatStore {
  private readonly db: Database.Database;
  private readonly q;
  private readonly claim;

  /** Opens (creating and migrating as needed) the database at `file`, or ':memory:'. */
  constructor(file: string, sync: 'NORMAL' | 'FULL' = (process.env.PALAVER_SQLITE_SYNC === 'FULL' ? 'FULL' : 'NORMAL')) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${sync}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    const p = (sql: string) => this.db.prepare(sql);
    this.q = {
      getUser: p('SELECT * FROM users WHERE key = ?'),
      claimUser: p('INSERT INTO users (key, name, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET name = excluded.name WHERE password_hash IS NULL'),
      setPassword: p('UPDATE users SET password_hash = ? WHERE key = ? AND password_hash IS NULL'),
      setFirstPassword: p('UPDATE users SET password_hash = ? WHERE key = ? AND password_hash IS NULL AND EXISTS (SELECT 1 FROM logins WHERE token_hash = ? AND user_key = users.key AND expires_at > ?)'),
      setLast: p('UPDATE users SET last_channel = ? WHERE key = ?'),
      insertLogin: p('INSERT INTO logins (token_hash, user_key, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      getLogin: p('SELECT * FROM logins WHERE token_hash = ?'),
      touchLogin: p('UPDATE logins SET expires_at = ? WHERE token_hash = ?'),
      deleteLogin: p('DELETE FROM logins WHERE token_hash = ?'),
      activeLogin: p('SELECT 1 FROM logins WHERE user_key = ? AND expires_at > ? LIMIT 1'),
      expired: p('DELETE FROM logins WHERE expires_at <= ?'),
      channels: p('SELECT * FROM channels ORDER BY created_at, key'),
      getChannel: p('SELECT * FROM channels WHERE key = ?'),
      insertChannel: p('INSERT INTO channels (key, name, creator, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING'),
      insertMessage: p('INSERT INTO messages (channel, author, author_key, text, at) VALUES (?, ?, ?, ?, ?)'),
      getMessage: p('SELECT * FROM messages WHERE id = ?'),
      deleteMessage: p('DELETE FROM messages WHERE id = ?'),
      latest: p('SELECT * FROM messages WHERE channel = ? ORDER BY id DESC LIMIT ?'),
      before: p('SELECT * FROM messages WHERE channel = ? AND id < ? ORDER BY id DESC LIMIT ?'),
      grant: p('INSERT INTO grants (user_key, permission, granted_by, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      revoke: p('DELETE FROM grants WHERE user_key = ? AND permission = ?'),
      hasGrant: p('SELECT 1 FROM grants WHERE user_key = ? AND permission = ?'),
      grants: p('SELECT user_key, permission FROM grants'),
      insertAlert: p('INSERT INTO alerts (author, text, at) VALUES (?, ?, ?)'),
      alerts: p('SELECT * FROM alerts ORDER BY id DESC LIMIT ?'),
    };
    // better-sqlite3 runs this synchronously, and IMMEDIATE takes the write lock at once, so no
    // other claim (in this process or another) runs between the checks and the writes.
    this.claim = this.db.transaction((l: LoginRecord, passwordHash: string | null, now: number): 'ok' | 'taken' | 'registered' => {
      if ((this.q.getUser.get(l.userKey) as Row | undefined)?.password_hash) return 'registered';
      if (this.q.activeLogin.get(l.userKey, now)) return 'taken';
      this.q.claimUser.run(l.userKey, l.name, l.createdAt);
      if (passwordHash) this.q.setPassword.run(passwordHash, l.userKey);
      this.q.insertLogin.run(l.tokenHash, l.userKey, l.name, l.createdAt, l.expiresAt);
      return 'ok';
    });
  }

  private migrate() {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`the database is from a newer Palaver (schema ${version}, this one knows ${SCHEMA_VERSION})`);
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        const step = MIGRATIONS[v];
        if (typeof step === 'string') this.db.exec(step); else step(this.db);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  async close() { if (this.db.open) this.db.close(); }

  async getUser(key: string) { const r = this.q.getUser.get(key) as Row | undefined; return r ? user(r) : null; }
  async claimName(l: LoginRecord, passwordHash: string | null, now: number) { return this.claim.immediate(l, passwordHash, now); }
  async setFirstPassword(key: string, hash: string, tokenHash: string, now: number) { return this.q.setFirstPassword.run(hash, key, tokenHash, now).changes === 1; }
  async setLastChannel(key: string, ch: string) { this.q.setLast.run(ch, key); }

  async createLogin(l: LoginRecord) { this.q.insertLogin.run(l.tokenHash, l.userKey, l.name, l.createdAt, l.expiresAt); }
  async getLogin(tokenHash: string) { const r = this.q.getLogin.get(tokenHash) as Row | undefined; return r ? login(r) : null; }
  async touchLogin(tokenHash: string, expiresAt: number) { this.q.touchLogin.run(expiresAt, tokenHash); }
  async deleteLogin(tokenHash: string) { this.q.deleteLogin.run(tokenHash); }
  async hasActiveLogin(userKey: string, now: number) { return this.q.activeLogin.get(userKey, now) !== undefined; }
  async deleteExpiredLogins(now: number) { return this.q.expired.run(now).changes; }

  async listChannels() { return (this.q.channels.all() as Row[]).map(channel); }
  async getChannel(key: string) { const r = this.q.getChannel.get(key) as Row | undefined; return r ? channel(r) : null; }
  async createChannel(c: Channel) { return this.q.insertChannel.run(c.key, c.name, c.creator, c.createdAt).changes === 1; }

  async addMessage(m: Omit<Message, 'id'>) {
    const id = Number(this.q.insertMessage.run(m.channel, m.author, m.authorKey, m.text, m.at).lastInsertRowid);
    return { id, ...m };
  }
  async getMessage(id: number) { const r = this.q.getMessage.get(id) as Row | undefined; return r ? message(r) : null; }
  async deleteMessage(id: number) { return this.q.deleteMessage.run(id).changes === 1; }
  async messages(ch: string, limit: number, before?: number) {
    const rows = (before === undefined ? this.q.latest.all(ch, limit) : this.q.before.all(ch, before, limit)) as Row[];
    return rows.map(message).reverse();
  }

  async grant(userKey: string, permission: string, by: string, at: number) { this.q.grant.run(userKey, permission, by, at); }
  async revoke(userKey: string, permission: string) { this.q.revoke.run(userKey, permission); }
  async hasGrant(userKey: string, permission: string) { return this.q.hasGrant.get(userKey, permission) !== undefined; }
  async listGrants() { return (this.q.grants.all() as Row[]).map(r => ({ userKey: r.user_key as string, permission: r.permission as string })); }
  // SQLite changes data_version only when another connection commits, never for our own writes.
  async externalVersion() { return this.db.pragma('data_version', { simple: true }) as number; }

  async addAlert(a: Omit<Alert, 'id'>) {
    const id = Number(this.q.insertAlert.run(a.author, a.text, a.at).lastInsertRowid);
    return { id, ...a };
  }
  async alerts(limit: number) { return (this.q.alerts.all(limit) as Row[]).map(r => ({ id: r.id as number, author: r.author as string, text: r.text as string, at: r.at as number })); }
}
