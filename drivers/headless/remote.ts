// The headless driver connected to a server over the wire protocol, as a browser tab would be:
// WebSocket, cookie credential, resume after a drop. Used by protocol tests and benchmarks.
import WebSocket from 'ws';
import { WireClient } from '../../core/wire-client.ts';
import { HeadlessDriver } from './driver.ts';

export interface RemoteOptions {
  tab?: string;
  languages?: string[];
  origin?: string;
  cookie?: string;
}

export class RemoteHeadless {
  readonly driver: HeadlessDriver;
  readonly client: WireClient;
  /** Every frame received, as text, in order. */
  readonly received: string[] = [];
  cookie: string | null;
  /** The last Set-Cookie header the server sent, as it was. */
  lastSetCookie = '';
  socket: WebSocket | null = null;
  private waiters = new Set<() => void>();
  private credentialDone: Promise<void> = Promise.resolve();

  constructor(readonly baseUrl: string, private readonly opts: RemoteOptions = {}) {
    this.driver = new HeadlessDriver(opts.languages ?? ['en']);
    this.cookie = opts.cookie ?? null;
    this.client = new WireClient(this.driver, {
      tab: opts.tab ?? Math.random().toString(36).slice(2),
      onCredential: ticket => { this.credentialDone = this.redeem(ticket); },
      ackDelayMs: 20,
    });
  }

  /** Opens a WebSocket (resuming after the last seq seen, if any) and waits for the hello. */
  async connect(): Promise<void> {
    await this.client.start();
    await this.credentialDone;
    const url = new URL('/session', this.baseUrl);
    url.protocol = 'ws:';
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (this.opts.origin) headers.origin = this.opts.origin;
    const ws = new WebSocket(url, { headers });
    this.socket = ws;
    ws.on('message', data => {
      const text = data.toString();
      this.received.push(text);
      this.client.receive(text);
      for (const w of [...this.waiters]) w();
    });
    ws.on('close', () => { if (this.socket === ws) { this.socket = null; this.client.disconnected(); } for (const w of [...this.waiters]) w(); });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => { this.client.connected(t => ws.readyState === ws.OPEN && ws.send(t)); resolve(); });
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    await this.until(() => this.received.some(t => t.startsWith('{"op":"hello"')), 'hello');
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

  /** Waits until `pred` holds, re-checking on every frame. */
  async until(pred: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
    if (pred()) return;
    await new Promise<void>((resolve, reject) => {
      // Re-check on every frame, and now and then for what no frame announces (a cookie).
      const poll = setInterval(() => check(), 25);
      const timer = setTimeout(() => { clearInterval(poll); this.waiters.delete(check); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
      const check = () => { if (pred()) { clearTimeout(timer); clearInterval(poll); this.waiters.delete(check); resolve(); } };
      this.waiters.add(check);
    });
  }

  /** Signs in through the login screen and waits for the main screen. */
  async signIn(name: string, password?: string): Promise<void> {
    await this.until(() => this.driver.has('enter'), 'the login screen');
    this.driver.type('username', name);
    if (password) this.driver.type('password', password);
    this.driver.click('enter');
    await this.until(() => this.driver.has('messages') || String(this.driver.has('error') ? this.driver.text('error') : '') !== '', 'sign-in');
    await this.credentialDone;
  }

  async close(): Promise<void> {
    const ws = this.socket;
    this.socket = null;
    if (ws && ws.readyState !== ws.CLOSED) {
      const closed = new Promise(r => ws.once('close', r));
      ws.close();
      await closed;
    }
  }

  private async redeem(ticket: string) {
    const res = await fetch(new URL('/auth', this.baseUrl), {
      method: 'POST', headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: JSON.stringify({ ticket }),
    });
    if (res.status !== 204) throw new Error(`/auth answered ${res.status}`);
    const set = res.headers.getSetCookie().find(c => c.startsWith('palaver='));
    if (set) {
      this.lastSetCookie = set;
      const value = set.split(';')[0];
      this.cookie = value === 'palaver=' ? null : value;
    }
  }
}
