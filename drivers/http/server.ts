// The browser front-end: a fastify server with cookie sessions, the bundled client, a WebSocket
// at /session, a long-poll fallback at /poll, and /healthz.
import fastifyCookie from '@fastify/cookie';
import proxyAddr from '@fastify/proxy-addr';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { silentLog, type Log } from '../../core/log.ts';
import { CLOSE, type ErrorCode } from '../../core/errors.ts';
import { MAX_FRAME_BYTES, decodeClientFrame, ProtocolError } from '../../core/protocol.ts';
import type { Application } from '../../core/session.ts';
import type { AddressLimitOptions } from './address-limits.ts';
import { buildAssets } from './assets.ts';
import { parseAcceptLanguage } from './languages.ts';
import { BROWSER_COOKIE, COOKIE, PATHS } from './paths.ts';
import { configuredOrigins, listenOrigins, normalizeOrigin } from './origins.ts';
import { SessionRegistry, type RegistryOptions } from './registry.ts';
import { closeSocket, errorFrame, greet, HELLO_FIRST, PollConnection, serveSocket } from './transports.ts';

const POLL_WAIT_MS = 25_000;
const POLL_DETACH_MS = 40_000;
/** Close code for a WebSocket that did not say hello in time. */

export interface HttpServerOptions<S> {
  app: Application<S>;
  /** Signs session cookies; at least 32 characters. */
  secret: string;
  /** How long a session outlives its connection (default 10 minutes). */
  detachedTtlMs?: number;
  /** Sessions at most (default 50,000); when full, the oldest anonymous session makes room. */
  maxSessions?: number;
  /** Sessions nobody is signed in to at most (default 10,000; the oldest makes room). */
  maxAnonymous?: number;
  /** How long a session nobody is signed in to outlives its connection (default 1 minute). */
  anonymousTtlMs?: number;
  /** Limits per client address (defaults in address-limits.ts). */
  limits?: Partial<AddressLimitOptions>;
  /** How long a WebSocket may stay open without saying hello (default 5 s). */
  helloTimeoutMs?: number;
  /** Public origins pages are served from (`https://chat.example`), besides the listen address. */
  origins?: readonly string[];
  /** Reverse proxies whose X-Forwarded-For to believe: `loopback`, addresses, CIDRs (default none). */
  trustProxy?: readonly string[];
  /** Where the server and its sessions log (default nowhere); fastify logs to it too if it is pino. */
  log?: Log;
  /** Each session's output budget and frame rates (defaults in core/). */
  wire?: RegistryOptions['wire'];
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** An HTTP error body: a code for programs (core/errors.ts), a message for people. */
const refusal = (error: ErrorCode, message: string) => ({ error, message });

export class HttpServer<S> {
  readonly fastify: FastifyInstance;
  readonly registry: SessionRegistry<S>;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES });
  private readonly polls = new Map<string, PollConnection<S>>();
  /** Poll connections whose hello is being answered: another poll for the tab waits its turn (429). */
  private readonly greeting = new Set<string>();
  private readonly pollSweep: ReturnType<typeof setInterval>;
  private readonly log: Log;
  private readonly configured: string[];
  private allowed: Set<string>;
  /** Refused origins already logged (bounded): a misconfigured --origin shows once, not per request. */
  private readonly toldOrigins = new Set<string>();
  private readonly trusted: ((addr: string, i: number) => boolean) | null;

  private constructor(private readonly opts: HttpServerOptions<S>, assets: Awaited<ReturnType<typeof buildAssets>>) {
    this.log = opts.log ?? silentLog;
    this.configured = configuredOrigins(opts.origins ?? []);
    this.allowed = new Set(this.configured);
    this.trusted = opts.trustProxy?.length ? proxyAddr.compile([...opts.trustProxy]) : null;
    this.registry = new SessionRegistry(opts.app, {
      detachedTtlMs: opts.detachedTtlMs ?? 10 * 60_000,
      maxSessions: opts.maxSessions ?? 50_000,
      maxAnonymous: opts.maxAnonymous,
      anonymousTtlMs: opts.anonymousTtlMs,
      limits: opts.limits,
      log: this.log,
      wire: opts.wire,
    });
    const f = (this.fastify = Fastify({
      loggerInstance: fastifyLogger(opts.log),
      // A request line per poll (one per client every 25 s) would drown what matters: the parts
      // log connections, sign-ins and refusals themselves; errors are logged by the handler below.
      logController: new LogController({ disableRequestLogging: true }),
      trustProxy: this.trusted ?? false,
      bodyLimit: 2 * 1024 * 1024,
    }));
    f.register(fastifyCookie, { secret: opts.secret });
    f.addHook('onSend', async (_req, reply) => { reply.headers(SECURITY_HEADERS); });
    f.setErrorHandler((err: FastifyError, req, reply) => {
      // JSON nested deeper than the stack (JSON.parse takes it, re-encoding does not) is bad input.
      const tooDeep = err instanceof RangeError && /call stack/i.test(err.message);
      const status = tooDeep ? 400 : err.statusCode ?? 500;
      if (status >= 500) {
        this.log.error({ event: 'error', err, url: req.url }, 'request failed');
        return reply.code(500).send(refusal('internal', 'internal error'));
      }
      // Bad input: the client is told what is wrong; the log gets a line, not a stack.
      const code = tooDeep ? 'too-deep' : err.code;
      const message = tooDeep ? 'the request is nested too deeply' : err.message;
      this.log.debug({ event: 'refused', code, address: req.ip, url: req.url }, message);
      return reply.code(status).send(refusal(tooDeep ? 'too-deep' : 'bad-request', message));
    });

    f.get('/', (req, reply) => {
      if (!this.cookiesOf(req.headers.cookie).browser) this.issueBrowserCookie(req, reply);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(assets.html);
    });
    f.get('/app.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(assets.js));
    f.get('/app.css', (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(assets.css));
    f.get('/favicon.svg', (_req, reply) => reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(assets.icon));
    f.get('/favicon.ico', (_req, reply) => reply.redirect('/favicon.svg', 301));
    f.get(PATHS.health, () => ({ status: 'ok', sessions: this.registry.size }));

    // A page of another origin may POST here (forms and fetch can); the browser names it in Origin.
    const sameOrigin = async (req: FastifyRequest, reply: FastifyReply) => {
      const origin = req.headers.origin;
      if (origin !== undefined && !this.originAllowed(origin, req.ip)) {
        return reply.code(403).send(refusal('bad-origin', 'requests from this origin are not accepted'));
      }
    };

    f.post(PATHS.auth, {
      onRequest: sameOrigin,
      schema: { body: { type: 'object', required: ['ticket'], additionalProperties: false, properties: { ticket: { type: 'string', maxLength: 128 } } } },
    }, (req, reply) => {
      const redeemed = this.registry.redeem((req.body as { ticket: string }).ticket);
      if (!redeemed) return reply.code(400).send(refusal('bad-ticket', 'the ticket is unknown, used or expired'));
      const secure = req.protocol === 'https';
      if (redeemed.token) reply.setCookie(COOKIE, redeemed.token, { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure });
      else reply.clearCookie(COOKIE, { path: '/', sameSite: 'strict', httpOnly: true, secure });
      return reply.code(204).send();
    });

    f.post(PATHS.poll, {
      onRequest: sameOrigin,
      schema: {
        body: {
          type: 'object', required: ['tab', 'frames'], additionalProperties: false,
          properties: { tab: { type: 'string', minLength: 1, maxLength: 256 }, frames: { type: 'array', maxItems: 64, items: { type: 'object' } }, wait: { type: 'boolean' } },
        },
      },
    }, async (req, reply) => {
      const body = req.body as { tab: string; frames: unknown[]; wait?: boolean };
      const { token, browser: cookieBrowser } = this.cookiesOf(req.headers.cookie);
      let browser = cookieBrowser;
      // Polls carry no secret of their own: a client without cookies is given a browser cookie
      // with its hello, and its later polls need it (else `hello-first`), so a tab id alone
      // never reaches another client's poll connection.
      if (!token && !browser && body.frames.some(isHello)) browser = this.issueBrowserCookie(req, reply);
      const key = `${token ?? ''}\u0000${browser ?? ''}\u0000${body.tab}`;
      if (this.greeting.has(key)) return reply.code(429).send(refusal('busy', 'another poll for this tab is being answered'));
      let conn = token || browser ? this.polls.get(key) : undefined;
      const errors: string[] = [];
      for (const raw of body.frames) {
        const text = JSON.stringify(raw);
        const frame = decodeClientFrame(text);
        if (frame instanceof ProtocolError) { errors.push(errorFrame(frame.code, frame.message)); continue; }
        if (frame.op === 'hello') {
          if (conn) { conn.session?.detach(conn); conn.close(); }
          const fresh: PollConnection<S> = (conn = new PollConnection<S>(req.ip));
          this.polls.set(key, fresh);
          this.greeting.add(key);
          try {
            fresh.session = await greet(this.registry, this.opts.app.resume?.bind(this.opts.app), fresh, frame, {
              token, browser, address: req.ip, languages: parseAcceptLanguage(req.headers['accept-language']),
            });
          } finally {
            this.greeting.delete(key);
          }
          if (!fresh.session && this.polls.get(key) === fresh) this.polls.delete(key);
          continue;
        }
        if (!conn?.session) { errors.push(HELLO_FIRST); continue; }
        conn.session.receive(text);
      }
      reply.type('application/json; charset=utf-8');
      if (!conn) return `[${errors.join(',')}]`;
      // A closed connection (a refused hello) answers at once, with the refusal.
      const frames = await conn.collect(body.wait === false || errors.length ? 0 : POLL_WAIT_MS);
      return errors.length ? `[${[...errors, frames.slice(1, -1)].filter(Boolean).join(',')}]` : frames;
    });

    this.pollSweep = setInterval(() => {
      const now = Date.now();
      for (const [key, conn] of this.polls) {
        if (conn.closed || now - conn.lastPoll > POLL_DETACH_MS) {
          conn.session?.detach(conn);
          this.polls.delete(key);
          this.log.debug({ event: 'disconnect', transport: 'poll' }, 'a long-poll client stopped polling');
        }
      }
    }, 5_000);
    this.pollSweep.unref();

    f.server.on('connection', (socket: Socket) => this.countConnection(socket));
    f.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  static async create<S>(opts: HttpServerOptions<S>): Promise<HttpServer<S>> {
    const server = new HttpServer(opts, await buildAssets());
    await server.fastify.ready();
    return server;
  }

  async listen(host = '127.0.0.1', port = 8080): Promise<string> {
    await this.fastify.listen({ host, port });
    const addr = this.fastify.server.address() as AddressInfo;
    this.allowed = new Set([...listenOrigins(host, addr.port), ...this.configured]);
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${shown}:${addr.port}/`;
  }

  /** Origins whose pages may open a WebSocket or POST here. */
  get origins(): ReadonlySet<string> { return this.allowed; }

  /** Tells every session the server is going, then stops listening. Nobody is signed out. */
  async close(): Promise<void> {
    clearInterval(this.pollSweep);
    await this.registry.shutdown();
    for (const client of this.wss.clients) client.close(1012, 'server restarting');
    for (const conn of this.polls.values()) conn.close();
    await this.fastify.close();
  }

  private cookiesOf(header: string | undefined): { token: string | null; browser: string | null } {
    if (!header) return { token: null, browser: null };
    const jar = this.fastify.parseCookie(header);
    return { token: this.unsign(jar[COOKIE]), browser: this.unsign(jar[BROWSER_COOKIE]) };
  }

  private unsign(raw: string | undefined): string | null {
    if (!raw) return null;
    const unsigned = this.fastify.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : null;
  }

  private issueBrowserCookie(req: FastifyRequest, reply: FastifyReply): string {
    const id = randomBytes(16).toString('base64url');
    reply.setCookie(BROWSER_COOKIE, id, { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure: req.protocol === 'https' });
    return id;
  }

  private originAllowed(origin: string, address: string): boolean {
    const n = normalizeOrigin(origin);
    if (n !== null && this.allowed.has(n)) return true;
    if (!this.toldOrigins.has(origin)) {
      if (this.toldOrigins.size >= 100) this.toldOrigins.clear();
      this.toldOrigins.add(origin);
      this.log.info({ event: 'refused', code: 'bad-origin', origin, address }, 'a page of another origin was refused (see --origin)');
    }
    return false;
  }

  /** The client's address: the peer, or what trusted proxies say it is. */
  private addressOf(req: IncomingMessage): string {
    return this.trusted ? proxyAddr(req, this.trusted) : req.socket.remoteAddress ?? '';
  }

  /**
   * Open TCP connections per address: each can hold requests and unread answers. A trusted proxy's
   * connections carry many clients and are not counted here (the proxy limits its own).
   */
  private countConnection(socket: Socket) {
    const address = socket.remoteAddress ?? '';
    if (this.trusted?.(address, 0)) return;
    const limits = this.registry.addressLimits;
    if (!limits.admitConnection(address)) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroySoon();
      return;
    }
    socket.once('close', () => limits.releaseConnection(address));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const refuse = (status: string) => { socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`); };
    let path: string;
    try { path = new URL(req.url ?? '/', 'http://x').pathname; } catch { return refuse('400 Bad Request'); }
    if (path !== PATHS.session) return refuse('404 Not Found');
    const address = this.addressOf(req);
    // Browsers always send Origin on an upgrade; a client without one is not a browser page.
    if (req.headers.origin !== undefined && !this.originAllowed(req.headers.origin, address)) return refuse('403 Forbidden');
    const limits = this.registry.addressLimits;
    if (!limits.admitSocket(address)) return refuse('429 Too Many Requests');
    socket.once('close', () => limits.releaseSocket(address));
    const { token, browser } = this.cookiesOf(req.headers.cookie);
    this.wss.handleUpgrade(req, socket, head, ws => {
      // A socket that never says hello holds a slot for nothing: it gets a few seconds.
      const helloTimer = setTimeout(() => closeSocket(ws, CLOSE.helloTimeout.code, CLOSE.helloTimeout.reason), this.opts.helloTimeoutMs ?? 5_000);
      let greeted = false;
      ws.once('close', code => {
        clearTimeout(helloTimer);
        if (greeted) this.log.info({ event: 'disconnect', address, code }, 'disconnected');
      });
      serveSocket(ws, this.registry, this.opts.app.resume?.bind(this.opts.app), {
        token, browser, address,
        languages: parseAcceptLanguage(req.headers['accept-language']),
        onGreeted: () => { greeted = true; clearTimeout(helloTimer); },
      }, this.log);
    });
  }
}

/** The log itself if fastify can take it (pino's full set of levels), else none for fastify. */
function fastifyLogger(log: Log | undefined): FastifyBaseLogger | undefined {
  const l = log as Partial<Record<'fatal' | 'trace', unknown>> | undefined;
  return typeof l?.fatal === 'function' && typeof l.trace === 'function' ? (log as FastifyBaseLogger) : undefined;
}

const isHello = (f: unknown) => typeof f === 'object' && f !== null && (f as { op?: unknown }).op === 'hello';
