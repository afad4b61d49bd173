// `palaver serve`: the chat over HTTP for browsers (and for `palaver tui`), on SQLite in ./data or on PostgreSQL (--database).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { MemoryBus } from '../chat/bus.ts';
import { Chat, type ChatConfig } from '../chat/chat.ts';
import { DatabaseError, redactUrl } from '../chat/postgres-store.ts';
import { languagesFromEnv } from '../core/i18n.ts';
import { silentLog, type Log } from '../core/log.ts';
import type { Driver } from '../core/driver.ts';
import { Session } from '../core/session.ts';
import { loadSecret } from '../drivers/http/secret.ts';
import { configuredOrigins } from '../drivers/http/origins.ts';
import { HttpServer, type HttpServerOptions } from '../drivers/http/server.ts';
import { loadLibrary } from '../core/library.ts';
import { actions } from '../ui-descriptions/actions.ts';
import { createChatApp, loadCatalogs, UI_DIR } from '../ui-descriptions/app.ts';
import { databasePool, databaseUrl, DEFAULT_POOL, openStore } from './database.ts';
import { DevReload } from './dev-reload.ts';
import { createLogger, logLevel, type LogLevel } from './log.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface ServeOptions {
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL's URL (`--database`); without it, SQLite in dataDir. */
  database?: string;
  /** Connections to PostgreSQL (`--database-pool`, default 10). */
  databasePool?: number;
  admins: string[];
  restrictChannels: boolean;
  detachedTtlMs: number;
  /** Also run a terminal session for the person at the console. */
  tui?: boolean;
  /** Also run a line-mode session on stdin and stdout. */
  line?: boolean;
  /** Reload changed descriptions and catalogs into running sessions (`--dev`). */
  dev?: boolean;
  /** Public origins pages are served from (`https://chat.example`), besides the listen address. */
  origins?: string[];
  /** How much `palaver serve` logs (default info). */
  logLevel?: LogLevel;
  /** Where the server and its parts log (default nowhere). */
  log?: Log;
  /** Who may keep a session, and how many (defaults in drivers/http/), for embedding and tests. */
  sessions?: Pick<HttpServerOptions<unknown>, 'maxSessions' | 'maxAnonymous' | 'anonymousTtlMs' | 'limits' | 'helloTimeoutMs'>;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses, CIDRs, `loopback`). */
  trustProxy?: string[];
  /** Each session's output budget and frame rates (defaults in core/), for embedding and tests. */
  wire?: HttpServerOptions<unknown>['wire'];
  /** Further chat settings (rate limits…), for embedding and tests. */
  chat?: Partial<ChatConfig>;
}

export function serveOptions(args: string[], env = process.env): ServeOptions {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: env.PALAVER_HOST ?? '127.0.0.1' },
      port: { type: 'string', default: env.PALAVER_PORT ?? '8080' },
      data: { type: 'string', default: env.PALAVER_DATA ?? './data' },
      database: { type: 'string', default: env.PALAVER_DATABASE ?? '' },
      'database-pool': { type: 'string', default: env.PALAVER_DATABASE_POOL ?? String(DEFAULT_POOL) },
      admin: { type: 'string', multiple: true, default: [] },
      'restrict-channels': { type: 'boolean', default: env.PALAVER_RESTRICT_CHANNELS === '1' },
      'session-minutes': { type: 'string', default: env.PALAVER_SESSION_MINUTES ?? '10' },
      tui: { type: 'boolean', default: false },
      line: { type: 'boolean', default: false },
      dev: { type: 'boolean', default: false },
      origin: { type: 'string', multiple: true, default: [] },
      'log-level': { type: 'string', default: env.PALAVER_LOG_LEVEL ?? 'info' },
      'max-sessions': { type: 'string', default: env.PALAVER_MAX_SESSIONS ?? '50000' },
      'trust-proxy': { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.tui && values.line) throw new Error('--tui and --line both want the console: choose one');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port number: ${values.port}`);
  const minutes = Number(values['session-minutes']);
  if (!(minutes > 0)) throw new Error(`--session-minutes: not a positive number: ${values['session-minutes']}`);
  const admins = [...(env.PALAVER_ADMINS ?? '').split(',').map(s => s.trim()).filter(Boolean), ...values.admin!];
  const maxSessions = Number(values['max-sessions']);
  if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new Error(`--max-sessions: not a positive whole number: ${values['max-sessions']}`);
  const trustProxy = [...(env.PALAVER_TRUST_PROXY ?? '').split(',').map(s => s.trim()).filter(Boolean), ...values['trust-proxy']!];
  const origins = [...(env.PALAVER_ORIGINS ?? '').split(',').map(s => s.trim()).filter(Boolean), ...values.origin!];
  try { configuredOrigins(origins); } catch (e) { throw new Error(`--origin: ${(e as Error).message}`); }
  const database = values.database ? databaseUrl(values.database) : undefined;
  return {
    host: values.host!, port, dataDir: resolve(values.data!), database, databasePool: databasePool(values['database-pool']!), admins, restrictChannels: values['restrict-channels']!, detachedTtlMs: minutes * 60_000, tui: values.tui!, line: values.line!, dev: values.dev!,
    origins, logLevel: logLevel(values['log-level']!), sessions: { maxSessions }, trustProxy,
  };
}

/** Starts everything; returns the address and a function that stops it all cleanly. */
export async function startServer(o: ServeOptions) {
  const log = o.log ?? silentLog;
  const store = await openStore({ dataDir: o.dataDir, url: o.database, poolSize: o.databasePool, log });
  const chat = await new Chat(store, new MemoryBus(err => log.error({ event: 'error', err }, 'a bus subscriber failed')), { ...o.chat, admins: o.admins, restrictChannels: o.restrictChannels, loginTtlMs: o.detachedTtlMs }).init();
  const app = await createChatApp(chat);
  const server = await HttpServer.create({ app, secret: loadSecret(o.dataDir), detachedTtlMs: o.detachedTtlMs, ...o.sessions, trustProxy: o.trustProxy, wire: o.wire, origins: o.origins, log });
  /** Sessions run in this process for the console (`--tui`, `--line`), besides the server's. */
  const local = new Set<Session<unknown>>();
  const dev = o.dev ? new DevReload({
    dir: UI_DIR, app, log,
    load: async () => ({ library: await loadLibrary(UI_DIR, actions), catalogs: loadCatalogs() }),
    sessions: () => [...server.registry.all().map(ws => ws.session), ...local],
  }) : null;
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= (async () => {
    dev?.close();
    await server.close(); chat.close(); await store.close();
    log.info({ event: 'stop' }, 'Palaver stopped');
  })());
  let url: string;
  try {
    url = await server.listen(o.host, o.port);
  } catch (e) {
    await stop();
    throw e;
  }
  log.info({
    event: 'start', url, version: VERSION, node: process.version, dataDir: o.dataDir, database: o.database ? redactUrl(o.database) : 'sqlite', origins: [...server.origins],
    admins: o.admins, restrictChannels: o.restrictChannels, detachedTtlMs: o.detachedTtlMs,
  }, `Palaver ${VERSION} is running. Open ${url} in a browser.`);
  return { url, server, chat, app, stop, local, dev };
}

export async function serveCommand(args: string[]): Promise<number> {
  // V8 keeps the heap a flood grew long after the flood: old-space pages stay committed while
  // honest traffic never lets the collector see the process idle. Favouring size makes it
  // compact and give them back (the soak: RSS 1.54x its start after the attacks without this,
  // 1.04x with it over 30 minutes; p99 latency about doubles, to ~120 ms; see BENCHMARKS.md).
  // Read at each collection, so setting it now takes effect.
  setFlagsFromString('--optimize-for-size');
  let options: ServeOptions;
  try {
    options = serveOptions(args);
  } catch (e) {
    process.stderr.write(`palaver serve: ${(e as Error).message}\n`);
    return 2;
  }
  // The console session owns the terminal: the log goes to a file in the data directory instead.
  const log = createLogger(options.tui || options.line
    ? { level: options.logLevel ?? 'info', pretty: false, file: join(options.dataDir, 'palaver.log') }
    : { level: options.logLevel ?? 'info', pretty: process.stdout.isTTY === true });
  // A stray rejected promise is a bug to log, not a reason to drop everyone's connection.
  process.on('unhandledRejection', err => log.error({ event: 'error', err }, 'unhandled rejection'));
  // A thrown exception leaves the process in an unknown state: log it where the operator looks, then exit.
  process.on('uncaughtException', err => {
    log.fatal({ event: 'error', err }, 'uncaught exception');
    process.exit(1);
  });
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer({ ...options, log });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') process.stderr.write(`palaver serve: ${options.host}:${options.port} is in use; pick another with --port\n`);
    else if (err.code === 'EACCES') process.stderr.write(`palaver serve: not allowed to listen on ${options.host}:${options.port}\n`);
    else if (err instanceof DatabaseError) process.stderr.write(`palaver serve: ${err.message}\n`);
    else log.fatal({ event: 'error', err }, 'could not start');
    return 1;
  }
  if (options.tui || options.line) return consoleSession(running, log, options.tui ? 'tui' : 'line');
  await new Promise<void>(resolve => {
    const shutdown = (signal: string) => {
      log.info({ event: 'stopping', signal }, `${signal}: stopping…`);
      void running.stop().then(resolve);
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  return 0;
}

/**
 * `serve --tui` / `serve --line`: the server, plus an in-process session for the person at the
 * console (no protocol between), on the terminal front-end or in plain lines.
 */
async function consoleSession(running: Awaited<ReturnType<typeof startServer>>, log: Log, mode: 'tui' | 'line'): Promise<number> {
  let quit!: () => void;
  const done = new Promise<void>(r => (quit = r));
  let driver: Driver;
  let close = () => {};
  if (mode === 'tui') {
    // blessed is loaded only when a terminal is wanted.
    const { BlessedDriver } = await import('../drivers/tui/driver.ts');
    const { openTerminal } = await import('../drivers/tui/terminal.ts');
    const screen = openTerminal();
    const tui = new BlessedDriver({ screen, languages: languagesFromEnv(), onQuit: () => quit() });
    tui.setConnection(`Serving ${running.url}`);
    driver = tui;
    close = () => screen.destroy();
  } else {
    const { LineDriver } = await import('../drivers/line/driver.ts');
    process.stdout.write(`Serving ${running.url}\n`);
    driver = new LineDriver({ input: process.stdin, output: process.stdout, languages: languagesFromEnv(), onQuit: () => quit() });
  }
  const session = new Session(running.app, driver, {
    onError: err => { log.error({ event: 'error', err, session: 'console' }, 'console session error'); driver.error('internal', String(err)); },
  });
  await session.start(null);
  running.local.add(session as Session<unknown>);
  process.once('SIGTERM', () => quit());
  await done;
  await session.whenIdle();              // Ctrl+C sent the window's close (sign-out): let it run
  await session.end('closed');
  close();
  await running.stop();
  return 0;
}
