// A session's outgoing commands: sequence numbers, the bounded queue of what the client has not
// acknowledged, replay after a given seq, and collapse of repeated sets of one attribute.
import type { Command } from './commands.ts';
import { encode, type Sequenced } from './protocol.ts';

interface Entry { seq: number; text: string; bytes: number; key?: string; live: boolean }

export interface OutboxLimits { commands: number; bytes: number }
/**
 * While a client is connected. Not lower: a snapshot written to a slow connection waits here
 * until it drains, and one that no longer fits would be sent again and again (a chat screen's
 * snapshot is up to ~0.5 MB). Clients acknowledge as they go, so only one that does not fills it.
 */
export const DEFAULT_LIMITS: OutboxLimits = { commands: 1024, bytes: 1 << 20 };
/** While nobody is connected (a session lives on for minutes): past it, a resume gets a snapshot. */
export const DETACHED_LIMITS: OutboxLimits = { commands: 256, bytes: 64 << 10 };

export class Outbox {
  private entries: Entry[] = [];
  private head = 0;
  /** The queued set of each widget attribute (made on the first set: most sessions never need it). */
  private pendingSets: Map<string, Entry> | null = null;
  private bytes = 0;
  private liveCount = 0;
  /** The highest seq no longer held: acknowledged, or evicted when the queue overflowed. */
  private base = 0;
  lastSeq = 0;

  constructor(private limits: OutboxLimits = DEFAULT_LIMITS) {}

  /** Holds the queue to other bounds from now on, letting the oldest go at once if past them. */
  bound(limits: OutboxLimits): void {
    this.limits = limits;
    this.trim();
  }

  /** Queues a command; returns its encoded frame. */
  push(c: Command): string {
    const seq = ++this.lastSeq;
    const text = encode({ ...c, seq } as Sequenced);
    const e: Entry = { seq, text, bytes: text.length, live: true };
    if (c.op === 'clear') {
      // Whoever gets this clear needs nothing queued before it.
      for (let i = this.head; i < this.entries.length; i++) if (this.entries[i].live) this.drop(this.entries[i]);
    } else if (c.op === 'set') {
      // A later set of one attribute makes an earlier one pointless: whoever missed both
      // needs only the last, and whoever got the first gets the last too.
      e.key = `${c.id}\u0000${c.attr}`;
      this.pendingSets ??= new Map();
      const older = this.pendingSets.get(e.key);
      if (older) this.drop(older);
      this.pendingSets.set(e.key, e);
    }
    return this.keep(e);
  }

  /**
   * Queues a command already encoded, given without its closing brace (the seq goes there):
   * a frame shared by many sessions is encoded once, and each adds only its own numbers.
   */
  pushEncoded(open: string): string {
    const seq = ++this.lastSeq;
    const text = `${open},"seq":${seq}}`;
    return this.keep({ seq, text, bytes: text.length, live: true });
  }

  /** Queues an entry, letting the oldest go past the bounds; returns its frame. */
  private keep(e: Entry): string {
    this.entries.push(e);
    this.bytes += e.bytes;
    this.liveCount++;
    this.trim();
    return e.text;
  }

  private trim() {
    while (this.liveCount > this.limits.commands || this.bytes > this.limits.bytes) this.evictOldest();
  }

  /** The client has everything up to `seq`. */
  ack(seq: number): void {
    if (seq > this.lastSeq) seq = this.lastSeq;
    while (this.head < this.entries.length && this.entries[this.head].seq <= seq) {
      const e = this.entries[this.head++];
      if (e.live) this.drop(e);
    }
    if (seq > this.base) this.base = seq;
    this.compact();
  }

  /** The frames after `after`, or null when some were already let go: send a snapshot instead. */
  since(after: number): string[] | null {
    if (after > this.lastSeq) return null;
    if (after < this.base) return null;
    const out: string[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.live && e.seq > after) out.push(e.text);
    }
    return out;
  }

  /** Forgets everything queued; sequence numbers go on. Used before sending a snapshot. */
  reset(): void {
    this.entries = [];
    this.head = 0;
    this.pendingSets = null;
    this.bytes = 0;
    this.liveCount = 0;
    this.base = this.lastSeq;
  }

  get size(): number { return this.liveCount; }

  /** Characters held (each frame's length): what the bounds limit. */
  get heldBytes(): number { return this.bytes; }

  private evictOldest() {
    while (this.head < this.entries.length) {
      const e = this.entries[this.head++];
      if (!e.live) continue;
      this.drop(e);
      this.base = Math.max(this.base, e.seq);
      break;
    }
    this.compact();
  }

  private drop(e: Entry) {
    e.live = false;
    this.bytes -= e.bytes;
    this.liveCount--;
    if (e.key && this.pendingSets?.get(e.key) === e) this.pendingSets.delete(e.key);
  }

  private compact() {
    // Everything let go (the usual case once a client has acknowledged): hold nothing.
    if (this.head === this.entries.length) { this.entries = []; this.head = 0; return; }
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
