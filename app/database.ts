// Where `palaver serve` and `palaver grant` keep the chat: SQLite in the data directory (the
// default), or PostgreSQL given `--database postgres://…` (or PALAVER_DATABASE), for several
// processes sharing one database.
import { join } from 'node:path';
import { POSTGRES_DEFAULTS, PostgresStore } from '../chat/postgres-store.ts';
import { SqliteStore } from '../chat/sqlite-store.ts';
import type { ChatStore } from '../chat/store.ts';
import type { Log } from '../core/log.ts';

export const MAX_POOL = 1000;

/** A `--database` value, checked: a postgres:// or postgresql:// URL. Never repeated in errors (it may hold a password). */
export function databaseUrl(value: string): string {
  let protocol: string;
  try { protocol = new URL(value).protocol; } catch { throw new Error('--database: not a URL (expected postgres://user:password@host:port/database)'); }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') throw new Error(`--database: only PostgreSQL is supported (postgres://…), not ${protocol}//`);
  return value;
}

/** A `--database-pool` value: how many connections to PostgreSQL (1 to 1000). */
export function databasePool(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_POOL) throw new Error(`--database-pool: not a whole number from 1 to ${MAX_POOL}: ${value}`);
  return n;
}

export const DEFAULT_POOL = POSTGRES_DEFAULTS.poolSize;

/** Opens the store: PostgreSQL at `url` if given (a DatabaseError if it cannot), else SQLite in `dataDir`. */
export async function openStore(o: { dataDir: string; url?: string; poolSize?: number; log?: Log }): Promise<ChatStore> {
  if (o.url) return PostgresStore.open(o.url, { poolSize: o.poolSize, log: o.log });
  return new SqliteStore(join(o.dataDir, 'palaver.db'));
}
