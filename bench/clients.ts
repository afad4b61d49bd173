// Benchmark clients, one kind per server under test. Each records which benchmark messages
// arrived (in order, with the time), and how many bytes it received.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { redeemTicket } from '../drivers/http/socket-client.ts';

export type Kind = 'palaver' | 'floor' | 'peer';

/** Shared by every client of a run: when each message was sent and when each client got it. */
export class Tracker {
  readonly sent = new Map<number, number>();
  readonly count = new Map<number, number>();
  readonly done = new Map<number, number>();
  private waiters: { k: number; resolve: () => void }[] = [];
  constructor(public receivers: number) {}

  arrived(k: number) {
    const c = (this.count.get(k) ?? 0) + 1;
    this.count.set(k, c);
    if (c === this.receivers) {
      this.done.set(k, performance.now());
      this.waiters = this.waiters.filter(w => (w.k === k ? (w.resolve(), false) : true));
    }
  }

  /** Resolves once every receiver has message k (or after the timeout). */
  all(k: number, timeoutMs: number): Promise<boolean> {
    if (this.done.has(k)) return Promise.resolve(true);
    return new Promise(resolve => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push({ k, resolve: () => { clearTimeout(timer); resolve(true); } });
    });
  }
}

export interface BenchClient {
  /** Benchmark message numbers, in arrival order. */
  readonly got: number[];
  bytes: number;
  connect(): Promise<void>;
  send(k: number): void;
  drop(): Promise<void>;
  /** Reconnects; resolves once the client is back where it was (history or replay included). */
  resume(): Promise<void>;
  close(): void;
}

const BENCH = /^bench#(\d+)#/;
const BENCH_IN_FRAME = /"text":"bench#(\d+)#/;
const SEQ = /"seq":(\d+)}$/;
const text = (k: number) => `bench#${k}# a message of ordinary length for a chat, fifty-odd chars`;

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A Palaver tab over the wire protocol: hello, auth, cookie from the ticket, acks, resume. */
export class PalaverClient implements BenchClient {
  readonly got: number[] = [];
  bytes = 0;
  private ws: WebSocket | null = null;
  private cookie = '';
  private lastSeq = 0;
  private unacked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private seeds = 0;
  private ids = new Map<string, string>();
  private onReady: (() => void) | null = null;
  private onHello: (() => void) | null = null;
  private readonly tab = Math.random().toString(36).slice(2);

  constructor(private readonly base: string, private readonly name: string, private readonly tracker: Tracker | null) {}

  async connect() {
    const ready = new Promise<void>(r => (this.onReady = r));
    await this.attach(undefined);
    this.post({ op: 'auth', user: this.name });
    await ready;
  }

  send(k: number) {
    this.post({ op: 'event', id: this.ids.get('send')!, name: 'click', state: { [this.ids.get('message')!]: text(k) } });
  }

  async drop() {
    const ws = this.ws!;
    this.ws = null;
    const closed = new Promise(r => ws.once('close', r));
    ws.terminate();
    await closed;
  }

  async resume() {
    const hello = new Promise<void>(r => (this.onHello = r));
    await this.attach(this.lastSeq);
    await hello;
  }

  close() { this.ws?.close(); this.ws = null; }

  private async attach(after: number | undefined) {
    const url = new URL('/session', this.base);
    url.protocol = 'ws:';
    const ws = await open(url.href, this.cookie ? { cookie: this.cookie } : {});
    this.ws = ws;
    ws.on('message', data => this.frame(data.toString()));
    this.post(after === undefined ? { op: 'hello', version: 1, tab: this.tab } : { op: 'hello', version: 1, tab: this.tab, after });
  }

  private post(f: unknown) { this.ws?.send(JSON.stringify(f)); }

  private frame(t: string) {
    this.bytes += Buffer.byteLength(t);
    // A message entry (most frames): read its number and seq without parsing the whole frame,
    // as the other clients read theirs, so that the load generator measures the server.
    if (t.startsWith('{"op":"new"') && t.includes('"kind":"item"')) {
      const seq = Number(SEQ.exec(t)?.[1]);
      if (seq > this.lastSeq) {
        this.lastSeq = seq;
        const m = BENCH_IN_FRAME.exec(t);
        if (m) { this.got.push(Number(m[1])); this.tracker?.arrived(Number(m[1])); }
        else if (t.includes('"text":"seed message') && ++this.seeds === 100) { this.onReady?.(); this.onReady = null; }
        this.counted();
      }
      return;
    }
    const f = JSON.parse(t);
    if (f.op === 'hello') { if (!f.resumed) this.lastSeq = 0; this.onHello?.(); this.onHello = null; return; }
    if (f.op === 'credential') { void this.redeem(f.ticket); return; }
    if (f.seq === undefined) return;
    if (f.seq <= this.lastSeq) return;
    this.lastSeq = f.seq;
    if (f.op === 'new') {
      const name = f.attrs.name;
      if (name === 'message' || name === 'send') this.ids.set(name, f.id);
    }
    this.counted();
  }

  private counted() {
    if (++this.unacked >= 50) this.ack();
    else this.ackTimer ??= setTimeout(() => this.ack(), 100);
  }

  private ack() {
    if (this.ackTimer) { clearTimeout(this.ackTimer); this.ackTimer = null; }
    this.unacked = 0;
    this.post({ op: 'ack', seq: this.lastSeq });
  }

  private async redeem(ticket: string) {
    this.cookie = (await redeemTicket(this.base, ticket))?.cookie ?? '';
  }
}

/** A client of the ws broadcast floor: no history, nothing to resume. */
export class FloorClient implements BenchClient {
  readonly got: number[] = [];
  bytes = 0;
  private ws: WebSocket | null = null;
  constructor(private readonly base: string, private readonly tracker: Tracker | null) {}

  async connect() {
    const url = new URL(this.base);
    url.protocol = 'ws:';
    const ws = await open(url.href);
    this.ws = ws;
    ws.on('message', data => {
      const t = data.toString();
      this.bytes += Buffer.byteLength(t);
      const m = BENCH.exec(t);
      if (m) { this.got.push(Number(m[1])); this.tracker?.arrived(Number(m[1])); }
    });
  }

  send(k: number) { this.ws!.send(text(k)); }
  async drop() { const ws = this.ws!; this.ws = null; const closed = new Promise(r => ws.once('close', r)); ws.terminate(); await closed; }
  resume() { return this.connect(); }
  close() { this.ws?.close(); }
}

interface PeerMessage { id: number; text: string }

/** A Socket.IO chat client: joins the room, gets its last 100 messages, then live ones. */
export class PeerClient implements BenchClient {
  readonly got: number[] = [];
  bytes = 0;
  private socket: Socket | null = null;
  private lastId = 0;
  constructor(private readonly base: string, private readonly name: string, private readonly tracker: Tracker | null) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = io(this.base, { transports: ['websocket'], reconnection: false, forceNew: true });
      this.socket = s;
      s.on('connect', () => { s.emit('hello', this.name); s.emit('join', 'general'); });
      s.on('connect_error', reject);
      s.on('history', (list: PeerMessage[]) => {
        this.bytes += Buffer.byteLength(JSON.stringify(list));
        // A client shows the history; messages it has already are not news.
        for (const m of list) if (m.id > this.lastId) this.message(m);
        resolve();
      });
      s.on('message', (m: PeerMessage) => { this.bytes += Buffer.byteLength(JSON.stringify(m)); this.message(m); });
    });
  }

  private message(m: PeerMessage) {
    this.lastId = Math.max(this.lastId, m.id);
    const match = BENCH.exec(m.text);
    if (match) { this.got.push(Number(match[1])); this.tracker?.arrived(Number(match[1])); }
  }

  send(k: number) { this.socket!.emit('message', { room: 'general', text: text(k) }); }
  async drop() { this.socket?.disconnect(); this.socket = null; }
  resume() { return this.connect(); }
  close() { this.socket?.disconnect(); }
}

export function makeClient(kind: Kind, base: string, name: string, tracker: Tracker | null): BenchClient {
  switch (kind) {
    case 'palaver': return new PalaverClient(base, name, tracker);
    case 'floor': return new FloorClient(base, tracker);
    case 'peer': return new PeerClient(base, name, tracker);
  }
}
