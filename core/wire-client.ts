// The client half of the wire protocol: applies the server's frames to a local Driver and sends
// the user's events back. Shared by the browser and the remote terminal. It keeps the last seq
// it applied, drops duplicates, and acknowledges in batches.
import { apply } from './commands.ts';
import type { Driver, EventSink } from './driver.ts';
import { isErrorCode } from './errors.ts';
import { decodeServerFrame, encode, PROTOCOL_VERSION, ProtocolError, type ClientFrame, type ServerFrame } from './protocol.ts';

export interface WireClientOptions {
  /** A stable id for this front-end (a browser tab), so a reconnect finds its session. */
  tab: string;
  /** Called with a one-time ticket after sign-in or sign-out, to fetch or drop the credential. */
  onCredential?(ticket: string): void;
  /** Called when the server ends the session for good. */
  onBye?(reason: string): void;
  /** Called for frames that cannot be decoded (a server bug or a proxy mangling frames). */
  onProtocolError?(message: string): void;
  /** Acknowledge after this many frames, or after `ackDelayMs` of quiet. */
  ackEvery?: number;
  ackDelayMs?: number;
}

export class WireClient {
  /** The last seq applied; sent in `hello` so that a reconnect resumes after it. */
  lastSeq = 0;
  private send: ((text: string) => void) | null = null;
  private unacked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private hasTree = false;

  constructor(private readonly driver: Driver, private readonly opts: WireClientOptions) {}

  /** Starts the driver; its events go to whichever connection is open. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const sink: EventSink = {
      event: e => this.post({ op: 'event', id: e.id, name: e.name, state: e.state }),
      input: (id, value) => this.post({ op: 'input', id, value }),
      authenticate: (user, password) => this.post(password === undefined ? { op: 'auth', user } : { op: 'auth', user, password }),
    };
    await this.driver.start(sink);
  }

  /** A connection opened: say hello, asking for what was missed since `lastSeq`. */
  connected(send: (text: string) => void): void {
    this.send = send;
    const hello: ClientFrame = { op: 'hello', version: PROTOCOL_VERSION, tab: this.opts.tab, languages: [...this.driver.languages()], capabilities: [...this.driver.capabilities()] };
    if (this.hasTree) hello.after = this.lastSeq;
    send(encode(hello));
  }

  disconnected(): void {
    this.send = null;
    if (this.ackTimer) { clearTimeout(this.ackTimer); this.ackTimer = null; }
  }

  /** Sends a frame now if connected; returns false if it could not be sent. */
  post(f: ClientFrame): boolean {
    if (!this.send) return false;
    this.send(encode(f));
    return true;
  }

  receive(text: string): void {
    const f = decodeServerFrame(text);
    if (f instanceof ProtocolError) { this.opts.onProtocolError?.(f.message); return; }
    this.handle(f);
  }

  private handle(f: ServerFrame): void {
    switch (f.op) {
      case 'hello':
        // Not resumed: the server will send clear and a snapshot with numbers of its own.
        if (!f.resumed) this.lastSeq = 0;
        return;
      // A code this client does not know (a newer server) is shown as what it is: a protocol matter.
      case 'error': this.driver.error(isErrorCode(f.code) ? f.code : 'protocol', f.message); return;
      case 'credential': this.opts.onCredential?.(f.ticket); return;
      case 'bye': this.opts.onBye?.(f.reason); return;
      default: {
        if (f.seq <= this.lastSeq) return;        // a duplicate after a reconnect
        this.lastSeq = f.seq;
        this.hasTree = true;
        const { seq: _, ...command } = f;
        apply(this.driver, command);
        this.scheduleAck();
      }
    }
  }

  private scheduleAck() {
    if (++this.unacked >= (this.opts.ackEvery ?? 64)) return this.ack();
    if (!this.ackTimer) this.ackTimer = setTimeout(() => this.ack(), this.opts.ackDelayMs ?? 100);
  }

  private ack() {
    if (this.ackTimer) { clearTimeout(this.ackTimer); this.ackTimer = null; }
    if (this.unacked && this.post({ op: 'ack', seq: this.lastSeq })) this.unacked = 0;
  }
}
