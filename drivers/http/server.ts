// The browser front-end: a fastify server with cookie sessions, the bundled client, a WebSocket
// at /session, a long-poll fallback at /poll, and /healthz.
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES, decodeClientFrame, ProtocolError } from '../../core/protocol.ts';
import type { Application } from '../../core/session.ts';
import { buildAssets } from './assets.ts';
import { parseAcceptLanguage } from './languages.ts';
import { SessionRegistry } from './registry.ts';
import { errorFrame, greet, HELLO_FIRST, PollConnection, serveSocket } from './transports.ts';

export const COOKIE = 'palaver';
const POLL_WAIT_MS = 25_000;
const POLL_DETACH_MS = 40_000;

export interface HttpServerOptions<S> {
  app: Application<S>;
  /** Signs session cookies; at least 32 characters. */
  secret: string;
  /** How long a session outlives its connection (default 10 minutes). */
  detachedTtlMs?: number;
  maxSessions?: number;
  /** Origins allowed to open a WebSocket besides the server's own. */
  origins?: readonly string[];
  logger?: boolean;
  onError?(err: unknown): void;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export class HttpServer<S> {
  readonly fastify: FastifyInstance;
  readonly registry: SessionRegistry<S>;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES });
  private readonly polls = new Map<string, PollConnection<S>>();
  private readonly pollSweep: ReturnType<typeof setInterval>;
  private readonly onError: (err: unknown) => void;

  private constructor(private readonly opts: HttpServerOptions<S>, assets: Awaited<ReturnType<typeof buildAssets>>) {
    this.onError = opts.onError ?? (err => console.error('palaver:', err));
    this.registry = new SessionRegistry(opts.app, {
      detachedTtlMs: opts.detachedTtlMs ?? 10 * 60_000,
      maxSessions: opts.maxSessions ?? 50_000,
      onError: this.onError,
    });
    const f = (this.fastify = Fastify({ logger: opts.logger ?? false, bodyLimit: 2 * 1024 * 1024 }));
    f.register(fastifyCookie, { secret: opts.secret });
    f.addHook('onSend', async (_req, reply) => { reply.headers(SECURITY_HEADERS); });

    f.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(assets.html));
    f.get('/app.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(assets.js));
    f.get('/app.css', (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(assets.css));
    f.get('/favicon.svg', (_req, reply) => reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(assets.icon));
    f.get('/favicon.ico', (_req, reply) => reply.redirect('/favicon.svg', 301));
    f.get('/healthz', () => ({ status: 'ok', sessions: this.registry.size }));

    f.post('/auth', {
      schema: { body: { type: 'object', required: ['ticket'], additionalProperties: false, properties: { ticket: { type: 'string', maxLength: 128 } } } },
    }, (req, reply) => {
      const redeemed = this.registry.redeem((req.body as { ticket: string }).ticket);
      if (!redeemed) return reply.code(400).send({ error: 'bad-ticket', message: 'the ticket is unknown, used or expired' });
      const secure = req.protocol === 'https';
      if (redeemed.token) reply.setCookie(COOKIE, redeemed.token, { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure });
      else reply.clearCookie(COOKIE, { path: '/', sameSite: 'strict', httpOnly: true, secure });
      return reply.code(204).send();
    });

    f.post('/poll', {
      schema: {
        body: {
          type: 'object', required: ['tab', 'frames'], additionalProperties: false,
          properties: { tab: { type: 'string', minLength: 1, maxLength: 256 }, frames: { type: 'array', maxItems: 64 }, wait: { type: 'boolean' } },
        },
      },
    }, async (req, reply) => {
      const body = req.body as { tab: string; frames: unknown[]; wait?: boolean };
      const token = this.tokenFrom(req.headers.cookie);
      const key = `${token ?? ''}\u0000${body.tab}`;
      let conn = this.polls.get(key);
      const errors: string[] = [];
      for (const raw of body.frames) {
        const text = JSON.stringify(raw);
        const frame = decodeClientFrame(text);
        if (frame instanceof ProtocolError) { errors.push(errorFrame(frame.code, frame.message)); continue; }
        if (frame.op === 'hello') {
          if (conn) { conn.session?.detach(conn); conn.close(); }
          const fresh: PollConnection<S> = (conn = new PollConnection<S>());
          this.polls.set(key, fresh);
          fresh.session = await greet(this.registry, this.opts.app.resume?.bind(this.opts.app), fresh, frame, { token, languages: parseAcceptLanguage(req.headers['accept-language']) });
          continue;
        }
        if (!conn?.session) { errors.push(HELLO_FIRST); continue; }
        conn.session.receive(text);
      }
      reply.type('application/json; charset=utf-8');
      if (!conn || conn.closed) return `[${errors.join(',')}]`;
      const frames = await conn.collect(body.wait === false || errors.length ? 0 : POLL_WAIT_MS);
      return errors.length ? `[${[...errors, frames.slice(1, -1)].filter(Boolean).join(',')}]` : frames;
    });

    this.pollSweep = setInterval(() => {
      const now = Date.now();
      for (const [key, conn] of this.polls) {
        if (now - conn.lastPoll > POLL_DETACH_MS) { conn.session?.detach(conn); this.polls.delete(key); }
      }
    }, 5_000);
    this.pollSweep.unref();

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
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${shown}:${addr.port}/`;
  }

  /** Tells every session the server is going, then stops listening. Nobody is signed out. */
  async close(): Promise<void> {
    clearInterval(this.pollSweep);
    await this.registry.shutdown();
    for (const client of this.wss.clients) client.close(1012, 'server restarting');
    for (const conn of this.polls.values()) conn.close();
    await this.fastify.close();
  }

  private tokenFrom(header: string | undefined): string | null {
    if (!header) return null;
    const raw = this.fastify.parseCookie(header)[COOKIE];
    if (!raw) return null;
    const unsigned = this.fastify.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : null;
  }

  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;            // not a browser: browsers always send Origin on upgrade
    if (this.opts.origins?.includes(origin)) return true;
    try { return new URL(origin).host === req.headers.host; } catch { return false; }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const refuse = (status: string) => { socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`); };
    let path: string;
    try { path = new URL(req.url ?? '/', 'http://x').pathname; } catch { return refuse('400 Bad Request'); }
    if (path !== '/session') return refuse('404 Not Found');
    if (!this.originAllowed(req)) return refuse('403 Forbidden');
    this.wss.handleUpgrade(req, socket, head, ws => {
      serveSocket(ws, this.registry, this.opts.app.resume?.bind(this.opts.app), {
        token: this.tokenFrom(req.headers.cookie),
        languages: parseAcceptLanguage(req.headers['accept-language']),
      }, this.onError);
    });
  }
}
