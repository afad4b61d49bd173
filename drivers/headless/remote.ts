// The headless driver connected to a server over the wire protocol, as a browser tab would be:
// WebSocket, cookie credential, resume after a drop. Used by protocol tests and benchmarks.
import type { Capability } from '../../core/driver.ts';
import { WireClient } from '../../core/wire-client.ts';
import { WireSocket, type WireSocketOptions } from '../http/socket-client.ts';
import { HeadlessDriver } from './driver.ts';

export interface RemoteOptions extends Pick<WireSocketOptions, 'cookie' | 'origin'> {
  tab?: string;
  languages?: string[];
  /** What the client says it can draw (default: everything). */
  capabilities?: Capability[];
}

export class RemoteHeadless {
  readonly driver: HeadlessDriver;
  readonly client: WireClient;
  readonly wire: WireSocket;
  /** Every frame received, as text, in order. */
  readonly received: string[] = [];
  private readonly waiters = new Set<() => void>();
  private credentialDone: Promise<void> = Promise.resolve();

  constructor(readonly baseUrl: string, opts: RemoteOptions = {}) {
    this.driver = new HeadlessDriver(opts.languages ?? ['en'], opts.capabilities);
    this.wire = new WireSocket(baseUrl, {
      cookie: opts.cookie, origin: opts.origin,
      onFrame: text => { this.received.push(text); queueMicrotask(() => this.wake()); },
      onState: () => this.wake(),
    });
    this.client = new WireClient(this.driver, {
      tab: opts.tab ?? Math.random().toString(36).slice(2),
      onCredential: ticket => { this.credentialDone = this.wire.redeem(ticket); },
      ackDelayMs: 20,
    });
    this.wire.use(this.client);
  }

  get cookie(): string | null { return this.wire.cookie; }
  get lastSetCookie(): string { return this.wire.lastSetCookie; }
  get socket() { return this.wire.socket; }

  /** Opens a WebSocket (resuming after the last seq seen, if any) and waits for the hello. */
  async connect(): Promise<void> {
    await this.client.start();
    const before = this.received.length;
    await this.wire.connect();
    await this.until(() => this.received.slice(before).some(t => t.startsWith('{"op":"hello"')), 'hello');
  }

  drop() { return this.wire.drop(); }
  sendRaw(text: string) { this.wire.sendRaw(text); }
  close() { return this.wire.close(); }

  /** Waits until `pred` holds, re-checking on every frame and now and then (for a cookie). */
  async until(pred: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
    if (pred()) return;
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => check(), 25);
      const timer = setTimeout(() => { clearInterval(poll); this.waiters.delete(check); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
      const check = () => { if (pred()) { clearTimeout(timer); clearInterval(poll); this.waiters.delete(check); resolve(); } };
      this.waiters.add(check);
    });
  }

  /**
   * Signs in by name (`auth`, the answer to `forbidden`) and waits until the session shows a
   * signed-in screen or refuses (`auth-failed`). Knows no screen's names.
   */
  async signIn(name: string, password?: string): Promise<void> {
    await this.until(() => this.driver.forbiddenCount > 0, 'a request to sign in');
    const asked = this.driver.log.length;
    const refusals = this.driver.errors.length;
    this.driver.authenticate(name, password);
    const signedIn = () => this.driver.log.slice(asked).some(c => c.op === 'clear') && !this.asksToSignIn() && this.driver.tree.roots.length > 0;
    await this.until(() => signedIn() || this.driver.errors.slice(refusals).some(e => e.code === 'auth-failed'), 'sign-in');
    await this.credentialDone;
  }

  /** Whether the screen shown now came with `forbidden` (nobody is signed in). */
  private asksToSignIn(): boolean {
    const log = this.driver.log;
    for (let i = log.length - 1; i >= 0; i--) {
      if (log[i].op === 'forbidden') return true;
      if (log[i].op === 'clear') return log[i + 1]?.op === 'forbidden';
    }
    return false;
  }

  private wake() { for (const w of [...this.waiters]) w(); }
}
