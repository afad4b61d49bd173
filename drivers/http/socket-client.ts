// A wire client's connection from Node: a WebSocket to /session carrying the session cookie,
// which it gets by redeeming the server's one-time tickets at /auth. Optionally reconnects by
// itself with backoff. Used by the remote terminal and by test and benchmark clients.
import WebSocket from 'ws';
import { backoff } from '../../core/backoff.ts';
import type { WireClient } from '../../core/wire-client.ts';
import { COOKIE, PATHS } from './paths.ts';

export type SocketState = 'connecting' | 'online' | 'reconnecting' | 'closed';

export interface WireSocketOptions {
  cookie?: string;
  origin?: string;
  /** Reconnect after a drop, with backoff (default: no). */
  reconnect?: boolean;
  onState?(state: SocketState, retryInMs?: number): void;
  /** Every frame received, before the client applies it. */
  onFrame?(text: string): void;
}

/**
 * Redeems a credential ticket at /auth. Returns the Set-Cookie header the server sent and the
 * `name=value` pair to send from now on (null once the cookie was cleared), or null if none.
 */
export async function redeemTicket(baseUrl: string, ticket: string, cookie: string | null = null): Promise<{ header: string; cookie: string | null } | null> {
  const res = await fetch(new URL(PATHS.auth, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ ticket }),
  });
  if (res.status !== 204) throw new Error(`/auth answered ${res.status}`);
  const header = res.headers.getSetCookie().find(c => c.startsWith(`${COOKIE}=`));
  if (!header) return null;
  const pair = header.split(';')[0];
  return { header, cookie: pair === `${COOKIE}=` ? null : pair };
}

export class WireSocket {
  cookie: string | null;
  /** The last Set-Cookie header the server sent, as it was. */
  lastSetCookie = '';
  socket: WebSocket | null = null;
  private client!: WireClient;
  private credential: Promise<void> = Promise.resolve();
  private attempt = 0;
  private closing = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly baseUrl: string, private readonly opts: WireSocketOptions = {}) {
    this.cookie = opts.cookie ?? null;
  }

  /** The client this socket carries; set before connecting. */
  use(client: WireClient): this { this.client = client; return this; }

  /** A credential ticket from the server: fetch (or drop) the cookie before the next connect. */
  redeem(ticket: string): Promise<void> {
    this.credential = this.credential.then(() => this.exchange(ticket));
    return this.credential;
  }

  /** Opens the socket; resolves once it is open (rejects if the upgrade is refused). */
  async connect(): Promise<void> {
    this.closing = false;
    await this.credential.catch(() => undefined);
    this.opts.onState?.(this.attempt ? 'reconnecting' : 'connecting');
    const url = new URL(PATHS.session, this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (this.opts.origin) headers.origin = this.opts.origin;
    const ws = new WebSocket(url, { headers });
    this.socket = ws;
    ws.on('message', data => {
      const text = data.toString();
      this.opts.onFrame?.(text);
      this.client.receive(text);
    });
    ws.on('close', () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.client.disconnected();
      if (this.closing || !this.opts.reconnect) { this.opts.onState?.('closed'); return; }
      this.scheduleRetry();
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        this.attempt = 0;
        this.opts.onState?.('online');
        this.client.connected(text => { if (ws.readyState === ws.OPEN) ws.send(text); });
        resolve();
      });
      ws.once('error', err => { if (ws.readyState !== ws.OPEN) reject(err); });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  /** Connects; with `reconnect`, keeps trying (with backoff) until it succeeds. */
  start(): void {
    this.connect().catch(() => { if (this.opts.reconnect && !this.closing) this.scheduleRetry(); });
  }

  /** Drops the connection, as a network failure would. */
  async drop(): Promise<void> {
    const ws = this.socket;
    if (!ws) return;
    const closed = new Promise(r => ws.once('close', r));
    ws.terminate();
    await closed;
  }

  /** Sends a raw text frame, unchecked. */
  sendRaw(text: string) { this.socket?.send(text); }

  /** Waits until what was sent has left this process. */
  async flushed(): Promise<void> {
    for (let i = 0; i < 50 && this.socket && this.socket.bufferedAmount > 0; i++) await new Promise(r => setTimeout(r, 10));
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const ws = this.socket;
    this.socket = null;
    if (ws && ws.readyState !== ws.CLOSED) {
      const closed = new Promise(r => ws.once('close', r));
      ws.close();
      await closed;
    }
    this.client?.disconnected();
  }

  private scheduleRetry() {
    if (this.retryTimer || this.closing) return;   // a refused connect reports twice: close and reject
    const wait = backoff(this.attempt++);
    this.opts.onState?.('reconnecting', wait);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().catch(() => this.scheduleRetry());
    }, wait);
  }

  private async exchange(ticket: string) {
    const set = await redeemTicket(this.baseUrl, ticket, this.cookie);
    if (!set) return;
    this.lastSetCookie = set.header;
    this.cookie = set.cookie;
  }
}
