// The server half of the wire protocol, independent of the transport: a Driver that turns the
// session's commands into sequenced frames in an Outbox, sends them to whichever connection is
// attached, and feeds the client's frames back to the session.
//
// Output is bounded per connection: past `output.bytes` written but not yet flushed, nothing
// more is written and commands only go into the (bounded) outbox. Once the connection drains,
// the client gets what it missed if the outbox still holds it, else one snapshot. A connection over budget for `output.slowCloseMs` is closed (4008); the session
// lives on, detached, as after any disconnect.
import type { Command } from '../../core/commands.ts';
import { CAPABILITIES, isCapability, type Capability, type Driver, type EventSink, type WidgetId, type WidgetSpec } from '../../core/driver.ts';
import { DEFAULT_FRAME_RATES, FrameLimits, type FrameRates } from './frame-limits.ts';
import { CLOSE, type ErrorCode } from '../../core/errors.ts';
import { silentLog, type Log } from '../../core/log.ts';
import { DEFAULT_LIMITS, DETACHED_LIMITS, Outbox, type OutboxLimits } from '../../core/outbox.ts';
import { decodeClientFrame, encode, PROTOCOL_VERSION, ProtocolError, type ClientFrame, type ServerFrame } from '../../core/protocol.ts';
import { Session, type Application, type Principal, type SessionOptions } from '../../core/session.ts';
import type { Value } from '../../core/values.ts';

/** One live transport to a client: a WebSocket, or a long-poll exchange. */
export interface Connection {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  /** Bytes sent but not yet handed to the network (or, for long-poll, not yet collected). */
  buffered(): number;
  /** Calls `cb` once, when nothing is buffered any more (never, if the client is gone). */
  onDrain(cb: () => void): void;
  /** The client's IP address, when known. */
  readonly address?: string;
}

export interface OutputBudget {
  /** Buffered bytes past which nothing more is written to the connection. */
  bytes: number;
  /** How long a connection may stay over budget before it is closed. */
  slowCloseMs: number;
}

export const DEFAULT_OUTPUT_BUDGET: OutputBudget = { bytes: 1 << 20, slowCloseMs: 20_000 };

/** Close codes a server sends, with their reasons. */

/** A rate-limit hit is logged at most this often per session, however many frames hit it. */
const RATE_LOG_EVERY_MS = 10_000;

export interface WireSessionOptions extends SessionOptions {
  /** The outbox's bounds while a connection is attached. */
  limits?: OutboxLimits;
  /** The outbox's bounds while none is (the session may live on for minutes). */
  detachedLimits?: OutboxLimits;
  output?: Partial<OutputBudget>;
  rates?: Partial<FrameRates>;
  log?: Log;
}

const encodedAttrs = new WeakMap<object, string>();

export class WireSession<S = unknown> implements Driver {
  readonly session: Session<S>;
  private caps: readonly Capability[] = CAPABILITIES;
  readonly outbox: Outbox;
  private conn: Connection | null = null;
  private sink: EventSink | null = null;
  detachedAt: number | null = Date.now();
  private lastAddress: string | undefined;
  private readonly log: Log;
  private readonly budget: OutputBudget;
  private readonly rates: FrameRates;
  private readonly attachedLimits: OutboxLimits;
  private readonly detachedLimits: OutboxLimits;
  private limiter: FrameLimits | null = null;
  private rateLoggedAt = -Infinity;
  // Back-pressure on the current connection.
  /** The seq of the last command written to the current connection. */
  private sentSeq = 0;
  /** Over budget: commands only go into the outbox until the connection drains. */
  private behind = false;
  /** A `get` came while behind: once drained, send a snapshot rather than a replay. */
  private snapshotDue = false;
  /** A credential not sent yet (detached or behind): it must not be lost. */
  private pendingCredential: string | null = null;
  private slowTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly app: Application<S>, private readonly langs: readonly string[], options: WireSessionOptions = {}) {
    this.attachedLimits = options.limits ?? DEFAULT_LIMITS;
    this.detachedLimits = options.detachedLimits ?? DETACHED_LIMITS;
    this.outbox = new Outbox(this.attachedLimits);
    this.log = options.log ?? silentLog;
    this.budget = options.output ? { ...DEFAULT_OUTPUT_BUDGET, ...options.output } : DEFAULT_OUTPUT_BUDGET;
    this.rates = options.rates ? { ...DEFAULT_FRAME_RATES, ...options.rates } : DEFAULT_FRAME_RATES;
    this.session = new Session(app, this, options);
  }

  /** Starts the session, signed in as `user` or not. */
  open(user: Principal | null): Promise<void> { return this.session.start(user); }

  get attached(): boolean { return this.conn !== null; }

  /** The address of the current connection (or of the last one, while detached). */
  get address(): string | undefined { return this.conn?.address ?? this.lastAddress; }

  /**
   * Attaches a connection. With `after`, the client has everything up to that seq and gets what
   * it missed; without it, or when that is no longer held, `clear` and a snapshot. A snapshot
   * costs what a `get` does and takes from its bucket: past it the connection is refused (4029)
   * and the session stays detached, so reconnecting in a loop cannot ask for snapshot after snapshot.
   */
  attach(conn: Connection, after?: number): void {
    if (this.conn && this.conn !== conn) this.conn.close(CLOSE.replaced.code, CLOSE.replaced.reason);
    this.settle();
    this.conn = conn;
    if (conn.address !== undefined) this.lastAddress = conn.address;
    this.detachedAt = null;
    this.outbox.bound(this.attachedLimits);
    const missed = after === undefined ? null : this.outbox.since(after);
    this.frame({ op: 'hello', version: PROTOCOL_VERSION, resumed: missed !== null });
    if (missed === null && !this.limits.allow('get')) {
      this.limited('snapshot', 'too many reconnects that need a snapshot; wait a few seconds');
      this.detach(conn);
      conn.close(CLOSE.tooManySnapshots.code, CLOSE.tooManySnapshots.reason);
      return;
    }
    this.sendPendingCredential();
    if (missed) this.replay(missed);
    else this.resend();
  }

  detach(conn: Connection): void {
    if (this.conn !== conn) return;
    this.conn = null;
    this.settle();
    this.detachedAt = Date.now();
    // Nobody may come back for minutes: hold only what a quick resume needs.
    this.outbox.bound(this.detachedLimits);
  }

  /** Handles one frame from the client. Never throws: bad frames are answered with an error. */
  receive(text: string): void {
    const f = decodeClientFrame(text);
    if (f instanceof ProtocolError) return this.badFrame(f.code, f.message);
    this.handle(f);
  }

  /** A frame that breaks the protocol: refused; a connection sending many is closed. */
  badFrame(code: ErrorCode, message: string): void {
    if (this.limits.allow('bad')) return this.refuse(code, message);
    const c = this.conn;
    if (!c) return;
    this.log.warn({ event: 'rate-limited', what: 'bad-frame', address: c.address }, 'closing a connection that sends bad frames');
    this.detach(c);
    c.close(CLOSE.badFrames.code, CLOSE.badFrames.reason);
  }

  private handle(f: ClientFrame): void {
    switch (f.op) {
      case 'hello': return this.badFrame('bad-frame', 'hello is only valid as the first frame');
      case 'ack': return this.outbox.ack(f.seq);
      case 'get': {
        if (!this.allow('get')) return;
        // Writing now would only queue behind what the client is not reading.
        if (this.behind) { this.snapshotDue = true; return; }
        const missed = this.outbox.since(f.after);
        if (missed) this.replay(missed);
        else this.resend();
        return;
      }
      case 'event':
        if (this.allow('event')) this.sink?.event({ id: f.id, name: f.name, state: f.state });
        return;
      case 'input':
        if (this.allow('input')) this.sink?.input(f.id, f.value);
        return;
      case 'auth':
        if (!this.app.authenticate) return this.refuse('not-supported', 'this server does not take auth requests');
        if (this.allow('auth')) this.sink?.authenticate(f.user, f.password);
        return;
    }
  }

  /**
   * Sends a frame that is not a command: hello, error, credential, bye. An error is dropped
   * when the connection is behind (it is only for now); a credential waits until it can go.
   */
  frame(f: ServerFrame): void {
    const c = this.conn;
    if (f.op === 'credential' && (!c || this.behind)) { this.pendingCredential = encode(f); return; }
    if (!c || (f.op === 'error' && this.behind)) return;
    c.send(encode(f));
    this.checkBudget(c);
  }

  refuse(code: ErrorCode, message: string): void {
    this.log.debug({ event: 'refused', code, address: this.address }, message);
    if (this.limits.allow('errors')) this.frame({ op: 'error', code, message });
  }

  private get limits(): FrameLimits { return (this.limiter ??= new FrameLimits(this.rates)); }

  /** Takes a token for `what`; without one, refuses with `rate-limited`. */
  private allow(what: 'get' | 'event' | 'input' | 'auth'): boolean {
    if (this.limits.allow(what)) return true;
    this.limited(what, `too many ${what} frames; slow down`);
    return false;
  }

  private limited(what: string, message: string) {
    const now = Date.now();
    if (now - this.rateLoggedAt >= RATE_LOG_EVERY_MS) {
      this.rateLoggedAt = now;
      this.log.warn({ event: 'rate-limited', what, address: this.address }, message);
    }
    this.refuse('rate-limited', message);
  }

  // ---- output ----

  /**
   * Writes frames the outbox holds, all at once: the outbox's own bounds (1 MiB by default)
   * bound them, so a connection holds at most its budget plus that.
   */
  private replay(missed: string[]) {
    const c = this.conn;
    if (!c) return;
    for (const t of missed) c.send(t);
    this.sentSeq = this.outbox.lastSeq;
    this.checkBudget(c);
  }

  /** Forgets what is queued and sends `clear` and the whole tree again. */
  private resend() {
    this.outbox.reset();
    // Entries go the way of `create`: a shared message's attributes are encoded once for all.
    for (const c of this.session.snapshot()) {
      if (c.op === 'new') { const { op: _, ...spec } = c; this.create(spec); } else this.emit(c);
    }
  }

  private emit(c: Command) { this.deliver(this.outbox.push(c)); }

  /** Writes the command just queued, unless the connection is behind. */
  private deliver(text: string) {
    const c = this.conn;
    if (!c || this.behind) return;
    c.send(text);
    this.sentSeq = this.outbox.lastSeq;
    this.checkBudget(c);
  }

  private checkBudget(c: Connection) {
    if (this.behind || c.buffered() <= this.budget.bytes) return;
    this.behind = true;
    c.onDrain(() => this.caughtUp(c));
    this.slowTimer = setTimeout(() => this.tooSlow(c), this.budget.slowCloseMs);
    this.slowTimer.unref?.();
  }

  private caughtUp(c: Connection) {
    if (c !== this.conn || !this.behind) return;
    const snapshot = this.snapshotDue;
    this.settle();
    this.sendPendingCredential();
    const missed = snapshot ? null : this.outbox.since(this.sentSeq);
    if (missed) this.replay(missed);
    else this.resend();
  }

  private tooSlow(c: Connection) {
    if (c !== this.conn || !this.behind) return;
    this.log.info({ event: 'closed-slow', address: c.address, buffered: c.buffered() }, 'closing a connection that stopped reading');
    this.detach(c);
    c.close(CLOSE.tooSlow.code, CLOSE.tooSlow.reason);
  }

  /** Forgets the back-pressure state of the connection (it drained, or it is gone). */
  private settle() {
    this.behind = false;
    this.snapshotDue = false;
    if (this.slowTimer) { clearTimeout(this.slowTimer); this.slowTimer = null; }
  }

  private sendPendingCredential() {
    const text = this.pendingCredential;
    if (text === null || !this.conn) return;
    this.pendingCredential = null;
    this.conn.send(text);
    this.checkBudget(this.conn);
  }

  // ---- Driver ----

  languages() { return this.langs; }
  capabilities() { return this.caps; }

  /** What the connected client said it can draw (`hello`); a client that says nothing can draw all. */
  heard(capabilities: readonly string[] | undefined): void {
    this.caps = capabilities ? capabilities.filter(isCapability) : CAPABILITIES;
  }
  async start(sink: EventSink) { this.sink = sink; }
  async stop() {
    this.frame({ op: 'bye', reason: 'session ended' });
    this.conn?.close(1000, 'session ended');
    this.conn = null;
    this.settle();
  }
  create(w: WidgetSpec) {
    if (w.kind !== 'item' || !Object.isFrozen(w.attrs)) return this.emit({ op: 'new', ...w });
    // A shared entry (a message every viewer shows): its attributes are encoded once for all.
    let attrs = encodedAttrs.get(w.attrs);
    if (attrs === undefined) { attrs = JSON.stringify(w.attrs); encodedAttrs.set(w.attrs, attrs); }
    // Widget ids are the session's own `w<number>`: nothing in them needs escaping.
    const before = w.before === undefined ? '' : `,"before":"${w.before}"`;
    this.deliver(this.outbox.pushEncoded(`{"op":"new","id":"${w.id}","kind":"item","parent":"${w.parent}"${before},"attrs":${attrs},"events":[]`));
  }
  set(id: WidgetId, attr: string, value: Value) { this.emit({ op: 'set', id, attr, value }); }
  remove(id: WidgetId) { this.emit({ op: 'delete', id }); }
  clear() { this.emit({ op: 'clear' }); }
  forbidden(reason?: string) { this.emit(reason === undefined ? { op: 'forbidden' } : { op: 'forbidden', reason }); }
  error(code: ErrorCode, message: string) { this.refuse(code, message); }
}
