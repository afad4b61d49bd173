// The server half of the wire protocol, independent of the transport: a Driver that turns the
// session's commands into sequenced frames in an Outbox, sends them to whichever connection is
// attached, and feeds the client's frames back to the session.
import type { Command } from './commands.ts';
import type { Driver, EventSink, WidgetId, WidgetSpec } from './driver.ts';
import { Outbox, type OutboxLimits } from './outbox.ts';
import { decodeClientFrame, encode, PROTOCOL_VERSION, ProtocolError, type ClientFrame, type ServerFrame } from './protocol.ts';
import { Session, type Application, type Principal, type SessionOptions } from './session.ts';
import type { Value } from './values.ts';

/** One live transport to a client: a WebSocket, or a long-poll exchange. */
export interface Connection {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface WireSessionOptions extends SessionOptions {
  limits?: OutboxLimits;
}

const encodedAttrs = new WeakMap<object, string>();

export class WireSession<S = unknown> implements Driver {
  readonly session: Session<S>;
  readonly outbox: Outbox;
  private conn: Connection | null = null;
  private sink: EventSink | null = null;
  detachedAt: number | null = Date.now();

  constructor(private readonly app: Application<S>, private readonly langs: readonly string[], options: WireSessionOptions = {}) {
    this.outbox = new Outbox(options.limits);
    this.session = new Session(app, this, options);
  }

  /** Starts the session, signed in as `user` or not. */
  open(user: Principal | null): Promise<void> { return this.session.start(user); }

  get attached(): boolean { return this.conn !== null; }

  /**
   * Attaches a connection. With `after`, the client has everything up to that seq and gets what
   * it missed; without it, or when that is no longer held, it gets `clear` and a snapshot.
   */
  attach(conn: Connection, after?: number): void {
    if (this.conn && this.conn !== conn) this.conn.close(4000, 'replaced by a newer connection');
    this.conn = conn;
    this.detachedAt = null;
    const missed = after === undefined ? null : this.outbox.since(after);
    this.frame({ op: 'hello', version: PROTOCOL_VERSION, resumed: missed !== null });
    if (missed) for (const text of missed) conn.send(text);
    else this.resend();
  }

  detach(conn: Connection): void {
    if (this.conn !== conn) return;
    this.conn = null;
    this.detachedAt = Date.now();
  }

  /** Handles one frame from the client. Never throws: bad frames are answered with an error. */
  receive(text: string): void {
    const f = decodeClientFrame(text);
    if (f instanceof ProtocolError) return this.refuse(f.code, f.message);
    this.handle(f);
  }

  private handle(f: ClientFrame): void {
    switch (f.op) {
      case 'hello': return this.refuse('bad-frame', 'hello is only valid as the first frame');
      case 'ack': return this.outbox.ack(f.seq);
      case 'get': {
        const missed = this.outbox.since(f.after);
        if (missed) for (const t of missed) this.conn?.send(t);
        else this.resend();
        return;
      }
      case 'event': return this.sink?.event({ id: f.id, name: f.name, state: f.state });
      case 'input': return this.sink?.input(f.id, f.value);
      case 'auth': {
        const authenticate = this.app.authenticate;
        if (!authenticate) return this.refuse('not-supported', 'this server does not take auth requests');
        void this.session.run(async () => {
          const refused = await authenticate(this.session, f.user, f.password);
          if (refused !== null) this.refuse('auth-failed', refused);
        });
        return;
      }
    }
  }

  /** Sends a frame that is not a command: hello, error, credential, bye. */
  frame(f: ServerFrame): void { this.conn?.send(encode(f)); }

  refuse(code: string, message: string): void { this.frame({ op: 'error', code, message }); }

  /** Forgets what is queued and sends `clear` and the whole tree again. */
  private resend() {
    this.outbox.reset();
    for (const c of this.session.snapshot()) this.emit(c);
  }

  private emit(c: Command) {
    const text = this.outbox.push(c);
    this.conn?.send(text);
  }

  // ---- Driver ----

  languages() { return this.langs; }
  async start(sink: EventSink) { this.sink = sink; }
  async stop() { this.frame({ op: 'bye', reason: 'session ended' }); this.conn?.close(1000, 'session ended'); this.conn = null; }
  create(w: WidgetSpec) {
    if (w.kind !== 'item' || !Object.isFrozen(w.attrs)) return this.emit({ op: 'new', ...w });
    // A shared entry (a message every viewer shows): its attributes are encoded once for all.
    let attrs = encodedAttrs.get(w.attrs);
    if (attrs === undefined) { attrs = JSON.stringify(w.attrs); encodedAttrs.set(w.attrs, attrs); }
    // Widget ids are the session's own `w<number>`: nothing in them needs escaping.
    const before = w.before === undefined ? '' : `,"before":"${w.before}"`;
    const text = this.outbox.pushEncoded(`{"op":"new","id":"${w.id}","kind":"item","parent":"${w.parent}"${before},"attrs":${attrs},"events":[]`);
    this.conn?.send(text);
  }
  set(id: WidgetId, attr: string, value: Value) { this.emit({ op: 'set', id, attr, value }); }
  remove(id: WidgetId) { this.emit({ op: 'delete', id }); }
  clear() { this.emit({ op: 'clear' }); }
  forbidden(reason?: string) { this.emit(reason === undefined ? { op: 'forbidden' } : { op: 'forbidden', reason }); }
  error(code: string, message: string) { this.refuse(code, message); }
}
