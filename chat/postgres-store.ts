// The store on PostgreSQL (the `pg` package), for several Palaver processes sharing one database.
// Same semantics as SqliteStore; every method is one statement or one transaction on a pool.
//
// Limits: the pool holds `poolSize` (10) connections; each sets statement_timeout (5 s), so a
// stuck query cannot hold a session for ever, and the client gives up on a database that does
// not answer at all (query_timeout, 6 s). Waiting for a free connection or a new one is also
// bounded (5 s). A lost database fails requests (the caller reports them as internal errors)
// and the pool reconnects by itself when it is back.
//
// externalVersion: a row per store instance (`store_writes`, keyed by a random writer id) counts
// the grant and revoke writes it made; the version is the sum of the other writers' counts, so it
// changes when another process (`palaver grant`, another server) changes a grant, and never for
// this instance's own writes or reads. Other writes (messages, sign-ins) do not change it: the
// chat watches it only for grants, and a hot counter row on every message would serialise them.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Log } from '../core/log.ts';
import type { Alert, Channel, ChatStore, LoginRecord, Message, UserRecord } from './store.ts';

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** The server cancels a statement running longer than this (default 5 s). */
  statementTimeoutMs?: number;
  /** Waiting for a connection, or for the database to answer at all, fails after this (default 5 s). */
  connectTimeoutMs?: number;
  log?: Log;
}

export const POSTGRES_DEFAULTS = { poolSize: 10, statementTimeoutMs: 5000, connectTimeoutMs: 5000 };

/** The database cannot be opened (unreachable, refused, from a newer Palaver): the message says why. */
export class DatabaseError extends Error {
  readonly code = 'PALAVER_DATABASE';
}

/** Each runs once, in order, in the transaction that opens the store; never edit one that shipped. */
const MIGRATIONS: string[] = [
  // 1. Keys are compared as code points (COLLATE "C"), as SQLite does, whatever the database's locale.
  //    Names are keyed by the current key function (names.ts), so SQLite's re-key (its migration 2) is not needed.
  `CREATE TABLE users (key TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT, last_channel TEXT COLLATE "C", created_at BIGINT NOT NULL);
   CREATE TABLE logins (token_hash TEXT COLLATE "C" PRIMARY KEY, user_key TEXT COLLATE "C" NOT NULL, name TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
   CREATE INDEX logins_by_user ON logins (user_key, expires_at);
   CREATE INDEX logins_by_expiry ON logins (expires_at);
   CREATE TABLE channels (key TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, creator TEXT, created_at BIGINT NOT NULL);
   CREATE TABLE messages (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, channel TEXT COLLATE "C" NOT NULL, author TEXT NOT NULL, author_key TEXT COLLATE "C" NOT NULL, text TEXT NOT NULL, at BIGINT NOT NULL);
   CREATE INDEX messages_by_channel ON messages (channel, id);
   CREATE TABLE grants (user_key TEXT COLLATE "C" NOT NULL, permission TEXT COLLATE "C" NOT NULL, granted_by TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (user_key, permission));
   CREATE TABLE alerts (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, author TEXT NOT NULL, text TEXT NOT NULL, at BIGINT NOT NULL);
   CREATE TABLE store_writes (writer TEXT COLLATE "C" PRIMARY KEY, writes BIGINT NOT NULL);`,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Any number that names Palaver's migration lock among a database's advisory locks. */
const MIGRATION_LOCK = 0x70616c61766572n;   // "palaver"

type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v);      // BIGINT arrives as a string
const user = (r: Row): UserRecord => ({ key: r.key as string, name: r.name as string, passwordHash: (r.password_hash as string) ?? null, lastChannel: (r.last_channel as string) ?? null, createdAt: num(r.created_at) });
const login = (r: Row): LoginRecord => ({ tokenHash: r.token_hash as string, userKey: r.user_key as string, name: r.name as string, createdAt: num(r.created_at), expiresAt: num(r.expires_at) });
const channel = (r: Row): Channel => ({ key: r.key as string, name: r.name as string, creator: (r.creator as string) ?? null, createdAt: num(r.created_at) });
const message = (r: Row): Message => ({ id: num(r.id), channel: r.channel as string, author: r.author as string, authorKey: r.author_key as string, text: r.text as string, at: num(r.at) });

/** The URL without its password, to show. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch { return '(not a URL)'; }
}

/** Why a connection failed, in one line (a refused connection to several addresses has no message of its own). */
function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return reason(err.errors[0]);
  const e = err as NodeJS.ErrnoException;
  return e?.message || e?.code || String(err);
}

export class PostgresStore implements ChatStore {
  /** This instance's name in store_writes. */
  private readonly writer = randomUUID();
  private closed: Promise<void> | null = null;

  private constructor(private readonly pool: pg.Pool) {}

  /** Connects, migrates (one transaction, safe when several processes start at once) and returns the store. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const o = { ...POSTGRES_DEFAULTS, ...options };
    const pool = new pg.Pool({
      connectionString: url,
      max: o.poolSize,
      statement_timeout: o.statementTimeoutMs,
      query_timeout: o.statementTimeoutMs + 1000,
      // A transaction left open (a client gone mid-way) must not hold its row locks for ever.
      idle_in_transaction_session_timeout: o.statementTimeoutMs * 2,
      connectionTimeoutMillis: o.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      // Idle connections do not keep the process alive: a command that fails after opening still exits.
      allowExitOnIdle: true,
      keepAlive: true,
      application_name: 'palaver',
    });
    // An idle connection the server closed (a restart): the pool drops it and opens another when needed.
    pool.on('error', err => o.log?.error({ event: 'error', err }, 'a database connection was lost'));
    const store = new PostgresStore(pool);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof DatabaseError) throw err;
      throw new DatabaseError(`cannot open the database ${redactUrl(url)}: ${reason(err)}`, { cause: err });
    }
    return store;
  }

  private async migrate() {
    await this.transaction(async c => {
      // Several processes may start at once: one migrates, the others wait and find it done.
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await c.query('CREATE TABLE IF NOT EXISTS palaver_schema (version INTEGER NOT NULL)');
      const rows = (await c.query('SELECT version FROM palaver_schema')).rows as Row[];
      if (!rows.length) await c.query('INSERT INTO palaver_schema (version) VALUES (0)');
      const version = rows.length ? num(rows[0].version) : 0;
      if (version > MIGRATIONS.length) throw new DatabaseError(`the database is from a newer Palaver (schema ${version}, this one knows ${MIGRATIONS.length})`);
      for (let v = version; v < MIGRATIONS.length; v++) await c.query(MIGRATIONS[v]);
      await c.query('UPDATE palaver_schema SET version = $1', [MIGRATIONS.length]);
      return true;
    });
  }

  /** Runs `fn` in a transaction: committed if it returns true, rolled back if false or if it throws. */
  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>, commit: (result: T) => boolean = () => true): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query(commit(result) ? 'COMMIT' : 'ROLLBACK');
      return result;
    } catch (err) {
      // A connection that cannot even roll back is broken: the pool must not hand it out again.
      await c.query('ROLLBACK').catch((e: Error) => { broken = e; });
      throw err;
    } finally {
      c.release(broken);
    }
  }

  private async rows(name: string, text: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query({ name, text, values })).rows as Row[];
  }

  private async count(name: string, text: string, values: unknown[]): Promise<number> {
    return (await this.pool.query({ name, text, values })).rowCount ?? 0;
  }

  close(): Promise<void> { return (this.closed ??= this.pool.end()); }

  async getUser(key: string) {
    const [r] = await this.rows('get-user', 'SELECT * FROM users WHERE key = $1', [key]);
    return r ? user(r) : null;
  }

  claimName(l: LoginRecord, passwordHash: string | null, now: number): Promise<'ok' | 'taken' | 'registered'> {
    return this.transaction(async c => {
      // The user's row, locked: concurrent claims of one name wait here for each other (one
      // inserting the row makes the others wait for its commit), so each sees the one before.
      await c.query({ name: 'claim-insert', text: 'INSERT INTO users (key, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', values: [l.userKey, l.name, l.createdAt] });
      const [u] = (await c.query({ name: 'claim-lock', text: 'SELECT password_hash FROM users WHERE key = $1 FOR UPDATE', values: [l.userKey] })).rows as Row[];
      if (u?.password_hash) return 'registered' as const;
      if ((await c.query({ name: 'claim-active', text: 'SELECT 1 FROM logins WHERE user_key = $1 AND expires_at > $2 LIMIT 1', values: [l.userKey, now] })).rowCount) return 'taken' as const;
      await c.query({ name: 'claim-update', text: 'UPDATE users SET name = $2, password_hash = $3 WHERE key = $1', values: [l.userKey, l.name, passwordHash] });
      await c.query({ name: 'insert-login', text: 'INSERT INTO logins (token_hash, user_key, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', values: [l.tokenHash, l.userKey, l.name, l.createdAt, l.expiresAt] });
      return 'ok' as const;
    }, result => result === 'ok');
  }

  async setFirstPassword(key: string, hash: string, tokenHash: string, now: number) {
    return (await this.count('set-first-password', 'UPDATE users SET password_hash = $1 WHERE key = $2 AND password_hash IS NULL AND EXISTS (SELECT 1 FROM logins WHERE token_hash = $3 AND user_key = users.key AND expires_at > $4)', [hash, key, tokenHash, now])) === 1;
  }

  async setLastChannel(key: string, ch: string) { await this.rows('set-last', 'UPDATE users SET last_channel = $2 WHERE key = $1', [key, ch]); }

  async createLogin(l: LoginRecord) {
    await this.rows('insert-login', 'INSERT INTO logins (token_hash, user_key, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [l.tokenHash, l.userKey, l.name, l.createdAt, l.expiresAt]);
  }

  async getLogin(tokenHash: string) {
    const [r] = await this.rows('get-login', 'SELECT * FROM logins WHERE token_hash = $1', [tokenHash]);
    return r ? login(r) : null;
  }

  async touchLogin(tokenHash: string, expiresAt: number) { await this.rows('touch-login', 'UPDATE logins SET expires_at = $2 WHERE token_hash = $1', [tokenHash, expiresAt]); }
  async deleteLogin(tokenHash: string) { await this.rows('delete-login', 'DELETE FROM logins WHERE token_hash = $1', [tokenHash]); }

  async hasActiveLogin(userKey: string, now: number) {
    return (await this.rows('active-login', 'SELECT 1 FROM logins WHERE user_key = $1 AND expires_at > $2 LIMIT 1', [userKey, now])).length > 0;
  }

  deleteExpiredLogins(now: number) { return this.count('expired-logins', 'DELETE FROM logins WHERE expires_at <= $1', [now]); }

  async listChannels() { return (await this.rows('channels', 'SELECT * FROM channels ORDER BY created_at, key')).map(channel); }

  async getChannel(key: string) {
    const [r] = await this.rows('get-channel', 'SELECT * FROM channels WHERE key = $1', [key]);
    return r ? channel(r) : null;
  }

  async createChannel(c: Channel) {
    return (await this.count('insert-channel', 'INSERT INTO channels (key, name, creator, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING', [c.key, c.name, c.creator, c.createdAt])) === 1;
  }

  async addMessage(m: Omit<Message, 'id'>) {
    const [r] = await this.rows('insert-message', 'INSERT INTO messages (channel, author, author_key, text, at) VALUES ($1, $2, $3, $4, $5) RETURNING id', [m.channel, m.author, m.authorKey, m.text, m.at]);
    return { id: num(r.id), ...m };
  }

  async getMessage(id: number) {
    const [r] = await this.rows('get-message', 'SELECT * FROM messages WHERE id = $1', [id]);
    return r ? message(r) : null;
  }

  async deleteMessage(id: number) { return (await this.count('delete-message', 'DELETE FROM messages WHERE id = $1', [id])) === 1; }

  async messages(ch: string, limit: number, before?: number) {
    const rows = before === undefined
      ? await this.rows('latest', 'SELECT * FROM messages WHERE channel = $1 ORDER BY id DESC LIMIT $2', [ch, limit])
      : await this.rows('before', 'SELECT * FROM messages WHERE channel = $1 AND id < $2 ORDER BY id DESC LIMIT $3', [ch, before, limit]);
    return rows.map(message).reverse();
  }

  // A grant or revoke that changes something counts as this writer's write, in the same statement.
  async grant(userKey: string, permission: string, by: string, at: number) {
    await this.rows('grant', `WITH changed AS (INSERT INTO grants (user_key, permission, granted_by, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1)
      INSERT INTO store_writes (writer, writes) SELECT $5, 1 WHERE EXISTS (SELECT 1 FROM changed) ON CONFLICT (writer) DO UPDATE SET writes = store_writes.writes + 1`, [userKey, permission, by, at, this.writer]);
  }

  async revoke(userKey: string, permission: string) {
    await this.rows('revoke', `WITH changed AS (DELETE FROM grants WHERE user_key = $1 AND permission = $2 RETURNING 1)
      INSERT INTO store_writes (writer, writes) SELECT $3, 1 WHERE EXISTS (SELECT 1 FROM changed) ON CONFLICT (writer) DO UPDATE SET writes = store_writes.writes + 1`, [userKey, permission, this.writer]);
  }

  async hasGrant(userKey: string, permission: string) {
    return (await this.rows('has-grant', 'SELECT 1 FROM grants WHERE user_key = $1 AND permission = $2', [userKey, permission])).length > 0;
  }

  async listGrants() {
    return (await this.rows('grants', 'SELECT user_key, permission FROM grants')).map(r => ({ userKey: r.user_key as string, permission: r.permission as string }));
  }

  async externalVersion() {
    const [r] = await this.rows('external-version', 'SELECT coalesce(sum(writes), 0) AS v FROM store_writes WHERE writer <> $1', [this.writer]);
    return num(r.v);
  }

  async addAlert(a: Omit<Alert, 'id'>) {
    const [r] = await this.rows('insert-alert', 'INSERT INTO alerts (author, text, at) VALUES ($1, $2, $3) RETURNING id', [a.author, a.text, a.at]);
    return { id: num(r.id), ...a };
  }

  async alerts(limit: number) {
    return (await this.rows('alerts', 'SELECT * FROM alerts ORDER BY id DESC LIMIT $1', [limit])).map(r => ({ id: num(r.id), author: r.author as string, text: r.text as string, at: num(r.at) }));
  }
}
