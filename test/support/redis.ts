// A real redis-server for tests: its own free port and temporary directory, started, restarted
// (with or without its data) and stopped by the test. And a TCP proxy that can hold a client's
// traffic, to make one process a slow reader.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { tempDir } from './chat.ts';

/** Why Redis tests cannot run here, or undefined if they can. Under CI=true, never a reason to skip. */
export function redisMissing(): string | undefined {
  if (spawnSync('redis-server', ['--version']).status === 0) return undefined;
  if (process.env.CI === 'true') return undefined;   // let the start fail loudly in CI
  return 'no redis-server (apt-get install redis-server)';
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Where it keeps its data (to copy while it is down). */
  readonly dir: string;
  /** Stops the server cleanly (SIGTERM: an append-only file is flushed). */
  down(): Promise<void>;
  /** Starts it again on the same port, with its data if `persist` (append-only file), else empty. */
  up(options?: { persist?: boolean }): Promise<void>;
  /** A plain client, closed by stop(). */
  admin: Redis;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

/** Whether a Redis answers PING on `port`. */
function pings(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const end = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(1000, () => end(false));
    s.on('error', () => end(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', d => { got += d; if (got.includes('\r\n')) end(got.startsWith('+PONG')); });
  });
}

function launch(port: number, dir: string, persist: boolean): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', persist ? 'yes' : 'no', '--appendfsync', 'always', '--protected-mode', 'no'];
  return spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Waits until the server answers PING; fails if it exits first or takes over 10 s. */
async function whenUp(child: ChildProcess, port: number) {
  let exited = false;
  let failed: Error | undefined;
  child.once('exit', () => { exited = true; });
  child.once('error', err => { failed = err; });
  for (const deadline = Date.now() + 10_000; ;) {
    if (failed) throw new Error(`cannot start redis-server (apt-get install redis-server): ${failed.message}`);
    if (exited) throw new Error(`redis-server on port ${port} exited at start`);
    if (await pings(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
    await sleep(20);
  }
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise(r => { child.once('exit', () => r()); child.kill('SIGTERM'); });
}

export async function startRedis(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const dir = await tempDir('palaver-redis-');
  let port = 0;
  let child: ChildProcess | undefined;
  // Another program may take the free port before redis-server does: try another.
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    const c = launch(port, dir, options.persist ?? false);
    try { await whenUp(c, port); child = c; } catch (err) { await stopped(c); if (attempt === 4) throw err; }
  }
  const admin = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null });
  admin.on('error', () => undefined);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    admin,
    down: () => stopped(child!),
    async up({ persist = options.persist ?? false } = {}) {
      // Without persistence nothing of the old data may come back: an empty directory.
      if (!persist) { await rm(dir, { recursive: true, force: true }); await mkdir(dir); }
      child = launch(port, dir, persist);
      await whenUp(child, port);
    },
    async stop() {
      admin.disconnect();
      await stopped(child!);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Closes the connections of clients whose name starts with `name` (CLIENT KILL), as a network failure would. */
export async function killClients(admin: Redis, name: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  const ids = list.split('\n').filter(l => new RegExp(`\\bname=${name}`).test(l)).map(l => /\bid=(\d+)/.exec(l)![1]);
  for (const id of ids) await admin.client('KILL', 'ID', id);
  return ids.length;
}

/** A TCP proxy to Redis whose traffic can be held (as a process too busy to read would) and released. */
export async function startHoldingProxy(port: number) {
  const pairs = new Set<[Socket, Socket]>();
  let held: { data: Buffer; to: Socket }[] | undefined;
  const server = createServer(client => {
    const upstream = connect(port, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const relay = (from: Socket, to: Socket) => from.on('data', (data: Buffer) => { if (held) held.push({ data, to }); else to.write(data); });
    relay(client, upstream);
    relay(upstream, client);
    for (const s of pair) {
      s.on('error', () => undefined);
      s.on('close', () => { pairs.delete(pair); client.destroy(); upstream.destroy(); });
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold() { held = []; },
    release() {
      const queue = held ?? [];
      held = undefined;
      for (const { data, to } of queue) to.write(data);
    },
    close: () => new Promise<void>(r => { for (const [a, b] of pairs) { a.destroy(); b.destroy(); } server.close(() => r()); }),
  };
}
