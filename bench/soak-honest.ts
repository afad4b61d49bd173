// Honest users for the soak run: a browser tab's client half (WireClient) on the reference
// headless driver, over a WebSocket from its own loopback address, signing in through the login
// screen, chatting in one channel and reconnecting (resuming) whenever the connection drops.
// Every message it sees is checked against the Ledger: once, in order, and nothing missed.
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import type { WidgetSpec } from '../core/driver.ts';
import type { Value } from '../core/values.ts';
import { WireClient } from '../core/wire-client.ts';
import { HeadlessDriver } from '../drivers/headless/driver.ts';
import { openSocket, redeem, sleep, until } from './soak-net.ts';

const TAG = /^soak:(\d+):/;

interface Sent { channel: string; at: number }

/** What every honest user sent and what each received; shared by all of them (one process). */
export class Ledger {
  readonly sent = new Map<number, Sent>();
  readonly latencies: number[] = [];
  delivered = 0;
  duplicates = 0;
  outOfOrder = 0;
  private next = 0;

  tag(channel: string): { n: number; text: string } {
    const n = this.next++;
    this.sent.set(n, { channel, at: performance.now() });
    return { n, text: `soak:${n}: a message of ordinary length, at a human pace` };
  }
}

export interface HonestFigures { errors: Record<string, number>; reconnects: number; driverFaults: number }

/** The headless driver, keeping no command log, telling its user about message entries and channel changes. */
class WatchingDriver extends HeadlessDriver {
  constructor(private readonly user: HonestUser) { super(['en']); }

  override create(w: WidgetSpec) {
    if (w.kind === 'item' && w.parent !== null && this.tree.get(w.parent)?.attrs.name === 'messages') this.user.entry(this, w);
    super.create(w);
    if (w.attrs.name === 'topic') this.user.topic(w.attrs.text);
    this.log.length = 0;
  }

  override set(id: string, attr: string, value: Value) {
    super.set(id, attr, value);
    if (attr === 'text' && this.tree.get(id)?.attrs.name === 'topic') this.user.topic(value);
    this.log.length = 0;
  }

  override remove(id: string) { super.remove(id); this.log.length = 0; }
}

export class HonestUser {
  readonly driver = new WatchingDriver(this);
  readonly client: WireClient;
  /** When the wanted channel was first seen open: messages sent after it must all arrive. */
  readyAt = Infinity;
  /** Tags of messages already seen once. */
  readonly seen = new Set<number>();
  readonly figures: HonestFigures = { errors: {}, reconnects: 0, driverFaults: 0 };
  private ws: WebSocket | null = null;
  private cookie: string | null = null;
  private credential: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly base: string, readonly name: string, readonly channel: string, readonly localAddress: string, private readonly ledger: Ledger) {
    this.client = new WireClient(this.driver, {
      tab: `${name}-tab`,
      onCredential: ticket => { this.credential = this.credential.then(() => redeem(base, ticket, localAddress, this.cookie)).then(c => { this.cookie = c; }, () => undefined); },
    });
    const error = this.driver.error.bind(this.driver);
    this.driver.error = (code, message) => { this.figures.errors[code] = (this.figures.errors[code] ?? 0) + 1; this.driver.errors.length = 0; error(code, message); };
  }

  /** Connects, signs in and opens its channel (creating it first when `create` is set). */
  async join(create: boolean): Promise<void> {
    await this.client.start();
    await this.connect();
    await this.wait(() => this.driver.has('enter'), 'the login screen');
    // Honest users keep their names (a password registers one at sign-in), as regulars do: the
    // server's steady state includes password checks, and their memory (see BENCHMARKS.md).
    this.driver.type('username', this.name);
    this.driver.type('password', `soak-${this.name}`);
    this.driver.click('enter');
    await this.wait(() => this.driver.has('messages'), 'the main screen');
    await this.credential;
    if (create) {
      // Shown once the session knows this user may create channels.
      await this.wait(() => this.driver.has('open-new-channel') && this.driver.find('open-new-channel').attrs.visible === true, 'the New channel button');
      this.driver.click('open-new-channel');
      await this.wait(() => this.driver.popup !== undefined && this.driver.has('create'), 'the new-channel popup');
      this.driver.type('name', this.channel);
      this.driver.click('create');
      await this.wait(() => this.driver.popup === undefined, 'the channel to be created');
    }
    await this.wait(() => this.channelKey() !== undefined, `channel ${this.channel} in the list`);
    const key = this.channelKey()!;
    if (this.driver.find('channels').attrs.selected !== key) this.driver.select('channels', key);
    await this.wait(() => this.readyAt < Infinity, `channel ${this.channel} to open`);
  }

  /** Sends one tagged message through the message box, as a person would. */
  say(): void {
    if (!this.ws || !this.driver.has('message')) return;
    const { text } = this.ledger.tag(this.channel);
    this.driver.type('message', text);
    this.driver.click('send');
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }

  /** A message entry is about to be added to the list: check it against what is shown and what was sent. */
  entry(driver: HeadlessDriver, w: WidgetSpec): void {
    const value = String(w.attrs.value ?? '');
    if (!value.startsWith('m')) return;                     // an announcement, not a message
    const id = Number(value.slice(1));
    const shown = driver.tree.get(w.parent!)!.children.map(c => String(c.attrs.value ?? '')).filter(v => v.startsWith('m'));
    if (shown.includes(value)) this.ledger.duplicates++;
    else if (shown.length && Number(shown.at(-1)!.slice(1)) > id) this.ledger.outOfOrder++;
    const m = TAG.exec(String(w.attrs.text ?? ''));
    if (!m) return;
    const n = Number(m[1]);
    if (this.seen.has(n)) return;                            // shown again by a fresh snapshot
    this.seen.add(n);
    const sent = this.ledger.sent.get(n);
    if (!sent || sent.channel !== this.channel || sent.at < this.readyAt) return;   // history, not news
    this.ledger.delivered++;
    this.ledger.latencies.push(performance.now() - sent.at);
  }

  /** The topic names the channel once the session has subscribed to it (chat-view.ts openChannel). */
  topic(value: Value | undefined): void {
    if (this.readyAt === Infinity && value === `# ${this.channel}`) this.readyAt = performance.now();
  }

  private channelKey(): string | undefined {
    if (!this.driver.has('channels')) return undefined;
    const list = this.driver.find('channels');
    for (const c of list.children) {
      const a = c.attrs;
      if (a.text === this.channel) return String(a.value);
    }
    return undefined;
  }

  private async connect(): Promise<void> {
    await this.credential;
    const ws = await openSocket(this.base, this.localAddress, this.cookie);
    this.ws = ws;
    ws.on('message', data => {
      try { this.client.receive(data.toString()); } catch { this.figures.driverFaults++; }
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.client.disconnected();
      if (!this.stopped) void this.reconnect();
    });
    this.client.connected(text => { if (ws.readyState === ws.OPEN) ws.send(text); });
  }

  /** After a drop: back off a little and resume, as the browser client does. */
  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      await sleep(Math.random() * Math.min(15_000, 500 * 2 ** attempt));
      if (this.stopped) return;
      try {
        await this.connect();
        this.figures.reconnects++;
        return;
      } catch { /* the server refused or is gone: try again later */ }
    }
  }

  private async wait(pred: () => boolean, what: string): Promise<void> {
    if (!(await until(pred, 60_000, () => this.stopped))) throw new Error(`${this.name}: timed out waiting for ${what}`);
  }
}
