// A real PostgreSQL for tests: its own cluster (initdb) in a temporary directory, on a free
// loopback port, a fresh database per test, stopped (and started again) by the test. PostgreSQL
// refuses to run as root: as root, initdb and postgres run as the `postgres` user.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chown, mkdir, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { tempDir } from './chat.ts';

/** The newest installed PostgreSQL's bin directory (Debian keeps them in /usr/lib/postgresql/VERSION/bin). */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter(v => existsSync(join(root, v, 'bin', 'postgres')) && existsSync(join(root, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined if they can. Under CI=true, never a reason to skip. */
export function postgresMissing(): string | undefined {
  if (postgresBin()) return undefined;
  if (process.env.CI === 'true') return undefined;   // let the start fail loudly in CI
  return 'no PostgreSQL in /usr/lib/postgresql/*/bin (apt-get install postgresql)';
}

export interface PostgresServer {
  readonly port: number;
  /** A new, empty database (collating text by the en-US locale); its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown: open connections are closed); its data stays. */
  down(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  up(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

const USER = 'palaver';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

/** As root, who the server runs as: the `postgres` user's ids. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = ids('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('PostgreSQL refuses to run as root, and there is no postgres user to run it as');
  return { uid, gid: ids('-g') };
}

/** Runs a program to its end; rejects with its output if it fails. */
function run(cmd: string, args: string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', d => { out += d; });
    child.stderr!.on('data', d => { out += d; });
    child.once('error', err => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.once('exit', code => code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${out}`)));
  });
}

async function connects(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, database: 'postgres', connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try { await client.connect(); await client.query('SELECT 1'); return true; } catch { return false; } finally { await client.end().catch(() => undefined); }
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise(r => { child.once('exit', () => r()); child.kill('SIGINT'); });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('cannot start PostgreSQL: none in /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  const dir = await tempDir('palaver-pg-');
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  await mkdir(sockets);
  const as = serverUser();
  if (as) for (const d of [dir, sockets]) await chown(d, as.uid, as.gid);
  const spawnAs: SpawnOptions = { ...as, cwd: dir, env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' } };
  // No fsync: a test cluster that a crash loses is no loss, and it is much faster on a busy disk.
  await run(join(bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], spawnAs);

  let port = 0;
  let child: ChildProcess | undefined;
  let stderr = '';
  const launch = () => {
    stderr = '';
    const c = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'], { ...spawnAs, stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', d => { if (stderr.length < 20_000) stderr += d; });
    return c;
  };
  /** Waits until a connection succeeds; fails if the server exits first or takes over 30 s. */
  const whenUp = async (c: ChildProcess) => {
    let failed: Error | undefined;
    c.once('error', err => { failed = err; });
    for (const deadline = Date.now() + 30_000; ;) {
      if (failed) throw new Error(`cannot start postgres: ${failed.message}`);
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`postgres on port ${port} exited at start: ${stderr}`);
      if (await connects(port)) return;
      if (Date.now() > deadline) throw new Error(`postgres on port ${port} took no connection within 30 s: ${stderr}`);
      await sleep(25);
    }
  };
  // Another program may take the free port before postgres does: try another.
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    const c = launch();
    try { await whenUp(c); child = c; } catch (err) { await stopped(c); if (attempt === 4) { await rm(dir, { recursive: true, force: true }); throw err; } }
  }

  // A test process that ends without stop() must not leave its server running.
  const orphan = () => child?.kill('SIGINT');
  process.once('exit', orphan);
  let databases = 0;
  return {
    port,
    async createDatabase() {
      const name = `t_${++databases}`;
      const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, database: 'postgres' });
      await admin.connect();
      // A locale that sorts text as people read it (ä before b), as an operator's database
      // likely does; the store must order keys by code point all the same. (PostgreSQL 15 or later.)
      try { await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' STRATEGY FILE_COPY`); } finally { await admin.end(); }
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    down: () => stopped(child!),
    async up() {
      child = launch();
      await whenUp(child);
    },
    async stop() {
      process.removeListener('exit', orphan);
      await stopped(child!);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
