// The bus between processes, on Redis Streams: one stream per channel and one for global events.
//
// Publishing appends to the stream (a Lua script: XADD with MAXLEN ~, plus the stream's own
// counter, so every entry carries its offset 1, 2, 3… and its epoch, a random name created with
// the stream). Each process reads, with blocking XREAD on a connection of its own, the streams it
// has subscribers for, from the last entry it has delivered; every entry is parsed once and given
// to each of the process's subscribers, in stream order.
//
// Nothing is lost silently. After a dropped connection the reader goes on from its last entry;
// if the stream's epoch has changed meanwhile (Redis restarted without its data), if its counter
// went back (Redis restarted from an older copy), or if the next entry's offset is not the one
// expected (MAXLEN trimmed what this process had not read yet), subscribers get a `reset` event
// (and `onGap` is called): they should read what they show again from the store.
//
// Decision: no queue of our own. A read takes at most `readCount` entries per stream and delivers
// them at once (subscribers only queue tasks on their sessions, which bound their own queues);
// what this process has not read yet waits in Redis, up to each stream's MAXLEN, after which it
// is a gap as above. So this process holds at most readCount × streams parsed events at a time.
//
// Redis holds at most MAXLEN entries per stream, and only of streams published to within
// streamTtlMs (a day): an idle stream expires with its counter, and its next event starts a new
// epoch, which readers take for a gap (they read again from the store, which is harmless).
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { silentLog, type Log } from '../core/log.ts';
import type { Bus, ChannelEvent, GlobalEvent, Unsubscribe } from './bus.ts';
import { RedisScript } from './redis-script.ts';

export interface RedisBusOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** Put before every key, so that several Palavers can share one Redis. */
  prefix?: string;
  /** Entries kept per stream (approximately: Redis trims whole nodes). */
  maxLen?: number;
  /** A stream nobody has published to for this long is deleted (its next event starts a new epoch). */
  streamTtlMs?: number;
  /** Entries taken per stream in one read. */
  readCount?: number;
  /** How long one blocking read waits for new entries before it is sent again. */
  blockMs?: number;
  /** Reconnection waits double from 100 ms up to this. */
  reconnectMaxMs?: number;
  /** A publish or subscribe that Redis does not answer within this fails. */
  commandTimeoutMs?: number;
  /** How long `open` waits for Redis before it gives up. */
  connectTimeoutMs?: number;
  /** Called when a stream's events may have been lost: the channel's key, or null for the global stream. */
  onGap?: (channel: string | null) => void;
  /** A subscriber threw. */
  onError?: (err: unknown) => void;
  log?: Log;
}

export const REDIS_BUS_DEFAULTS = { prefix: 'palaver:', maxLen: 10_000, streamTtlMs: 24 * 3_600_000, readCount: 100, blockMs: 5000, reconnectMaxMs: 2000, commandTimeoutMs: 5000, connectTimeoutMs: 10_000 };

type Subscriber = (e: never) => void;

interface Stream {
  key: string;
  meta: string;
  /** The channel's key, or null for the global stream. */
  channel: string | null;
  subscribers: Set<Subscriber>;
  /** Settles once the starting position is taken. */
  started: Promise<void>;
  /** Whether the reader reads it (its position is known). */
  active: boolean;
  /** The last entry delivered, its offset and the epoch it belongs to. */
  lastId: string;
  offset: number;
  epoch: string;
}

// Appends one event. KEYS: the stream, its meta hash (epoch `e`, counter `s`).
// ARGV: MAXLEN, an epoch to use if the stream has none, the event's JSON, the streams' TTL.
const publishScript = new RedisScript(`
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[2]
  redis.call('HSET', KEYS[2], 'e', epoch, 's', 0)
end
local offset = redis.call('HINCRBY', KEYS[2], 's', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'o', offset, 'e', epoch, 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return offset
`);

// Where a stream is now: {epoch, offset, id of the last entry}, creating its epoch if it has none,
// in one step, so that a publish is either before the position (not delivered) or after it.
// KEYS: the stream, its meta hash. ARGV: an epoch to use if the stream has none, the streams' TTL.
const positionScript = new RedisScript(`
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[2], 'e', epoch, 's', 0)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
local offset = tonumber(redis.call('HGET', KEYS[2], 's') or '0')
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local id = '0-0'
if last[1] then id = last[1][1] end
return {epoch, offset, id}
`);

// Wakes this process's blocked reader so that it reads a stream it did not read yet: an entry in
// a stream of its own, which the reader always reads too. It expires if the process dies.
const wakeScript = new RedisScript(`
redis.call('XADD', KEYS[1], 'MAXLEN', '1', '*', 'w', '1')
redis.call('PEXPIRE', KEYS[1], 60000)
`);

const newEpoch = () => randomBytes(6).toString('base64url');

/** Resolves once `c` is ready; only `signal` makes it give up (not the errors of failed attempts). */
function ready(c: Redis, signal: AbortSignal): Promise<void> {
  if (c.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => { signal.removeEventListener('abort', fail); resolve(); };
    const fail = () => { c.off('ready', done); reject(signal.reason); };
    c.once('ready', done);
    signal.addEventListener('abort', fail, { once: true });
  });
}

/** Whether stream id `a` comes after `b` (ids are `milliseconds-sequence`). */
function after(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am > bm || (am === bm && as > bs);
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The URL without its password, for messages. */
function shown(url: string): string {
  try { const u = new URL(url); u.password = ''; u.username = ''; return u.toString(); } catch { return 'the Redis URL'; }
}

export class RedisBus implements Bus {
  /** This process's name on Redis (its connections' names, its wake-up key). */
  readonly id = randomBytes(6).toString('base64url');
  /** The connection for commands: publishing, positions; shared limiters may use it too. */
  readonly redis: Redis;
  private readonly reader: Redis;
  private readonly o: Required<Pick<RedisBusOptions, keyof typeof REDIS_BUS_DEFAULTS>>;
  private readonly log: Log;
  private readonly onGap: (channel: string | null) => void;
  private readonly onError: (err: unknown) => void;
  /** Stream key → what this process reads of it. */
  private readonly streams = new Map<string, Stream>();
  private readonly wakeKey: string;
  private wakeId = '0-0';
  /** Counts the reader's connections; positions are checked again after each new one. */
  private readerConnections = 0;
  private checkedConnection = 0;
  private readonly stop = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private lastError = '';

  /** Connects to Redis and starts reading; rejects if Redis cannot be reached within connectTimeoutMs. */
  static async open(options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    const deadline = AbortSignal.any([bus.stop.signal, AbortSignal.timeout(bus.o.connectTimeoutMs)]);
    try {
      await Promise.all([bus.redis, bus.reader].map(c => ready(c, deadline)));
    } catch {
      await bus.close();
      throw new Error(`cannot reach Redis at ${shown(options.url)} within ${bus.o.connectTimeoutMs} ms${bus.lastError ? `: ${bus.lastError}` : ''}`);
    }
    bus.loop = bus.read();
    return bus;
  }

  private constructor(options: RedisBusOptions) {
    const d = REDIS_BUS_DEFAULTS;
    this.o = {
      prefix: options.prefix ?? d.prefix, maxLen: options.maxLen ?? d.maxLen, streamTtlMs: options.streamTtlMs ?? d.streamTtlMs, readCount: options.readCount ?? d.readCount,
      blockMs: options.blockMs ?? d.blockMs, reconnectMaxMs: options.reconnectMaxMs ?? d.reconnectMaxMs,
      commandTimeoutMs: options.commandTimeoutMs ?? d.commandTimeoutMs, connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
    };
    this.log = options.log ?? silentLog;
    this.onGap = options.onGap ?? (() => undefined);
    this.onError = options.onError ?? (err => this.log.error({ event: 'error', err }, 'a bus subscriber failed'));
    this.wakeKey = `${this.o.prefix}wake:${this.id}`;
    const common: RedisOptions = {
      // Fail at once while Redis is away, and never send a command again after a reconnection:
      // an XADD sent twice would be an event published twice.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: times => Math.min(100 * 2 ** Math.min(times - 1, 16), this.o.reconnectMaxMs),
    };
    this.redis = this.connection(options.url, 'commands', { ...common, commandTimeout: this.o.commandTimeoutMs });
    this.reader = this.connection(options.url, 'reader', common);
    this.reader.on('ready', () => { this.readerConnections++; });
  }

  private connection(url: string, role: string, options: RedisOptions): Redis {
    const c = new Redis(url, { ...options, connectionName: `palaver:${this.id}:${role}` });
    let up = false;
    c.on('ready', () => {
      up = true;
      this.log.info({ event: 'connect', what: 'redis', connection: role }, 'connected to Redis');
    });
    // Errors come with every failed reconnection; one line per drop is enough.
    c.on('error', (err: Error) => { this.lastError = err.message; });
    c.on('close', () => {
      if (!up || this.stop.signal.aborted) return;
      up = false;
      this.log.warn({ event: 'disconnect', what: 'redis', connection: role, reason: this.lastError || 'connection closed' }, 'lost Redis; reconnecting');
    });
    return c;
  }

  async publishChannel(channel: string, e: ChannelEvent): Promise<void> {
    await this.publish(this.keysOf(channel), `channel ${JSON.stringify(channel)}`, e);
  }

  async publishGlobal(e: GlobalEvent): Promise<void> {
    await this.publish(this.keysOf(null), 'the global stream', e);
  }

  subscribeChannel(channel: string, fn: (e: ChannelEvent) => void): Promise<Unsubscribe> {
    return this.subscribe(channel, fn);
  }

  subscribeGlobal(fn: (e: GlobalEvent) => void): Promise<Unsubscribe> {
    return this.subscribe(null, fn);
  }

  /** Stops reading and closes both connections. */
  async close(): Promise<void> {
    this.stop.abort();
    this.reader.disconnect();
    this.redis.disconnect();
    await this.loop;
  }

  private keysOf(channel: string | null) {
    const name = channel === null ? 'g' : `c:${channel}`;
    return { key: `${this.o.prefix}stream:${name}`, meta: `${this.o.prefix}meta:${name}` };
  }

  private async publish({ key, meta }: { key: string; meta: string }, what: string, e: ChannelEvent | GlobalEvent) {
    // A position belongs to the stream an event was read from, not to the event.
    const { offset: _offset, epoch: _epoch, ...event } = e;
    try {
      await publishScript.run(this.redis, [key, meta], [this.o.maxLen, newEpoch(), JSON.stringify(event), this.o.streamTtlMs]);
    } catch (err) {
      throw new Error(`could not publish to ${what} on Redis: ${reason(err)}`, { cause: err });
    }
  }

  private async subscribe(channel: string | null, fn: Subscriber): Promise<Unsubscribe> {
    if (this.stop.signal.aborted) throw new Error('the Redis bus is closed');
    const { key, meta } = this.keysOf(channel);
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { key, meta, channel, subscribers: new Set(), started: Promise.resolve(), active: false, lastId: '0-0', offset: 0, epoch: '' };
      this.streams.set(key, stream);
      stream.started = this.start(stream);
    }
    const s = stream;
    s.subscribers.add(fn);
    try {
      await s.started;
    } catch (err) {
      s.subscribers.delete(fn);
      throw err;
    }
    return async () => {
      s.subscribers.delete(fn);
      // The reader stops reading it at its next read; entries of it still coming are dropped.
      if (!s.subscribers.size && this.streams.get(key) === s) this.streams.delete(key);
    };
  }

  /** Takes a new stream's starting position (now), then has the reader read it from there. */
  private async start(s: Stream) {
    try {
      const [epoch, offset, id] = await positionScript.run(this.redis, [s.key, s.meta], [newEpoch(), this.o.streamTtlMs]) as [string, number, string];
      Object.assign(s, { epoch, offset, lastId: id, active: true });
    } catch (err) {
      if (this.streams.get(s.key) === s) this.streams.delete(s.key);
      throw new Error(`could not subscribe to ${s.channel === null ? 'the global stream' : `channel ${JSON.stringify(s.channel)}`} on Redis: ${reason(err)}`, { cause: err });
    }
    // Not awaited: if Redis is away, the reader's own read fails and reads every stream anew.
    wakeScript.run(this.redis, [this.wakeKey], []).catch(() => undefined);
  }

  private async read() {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        await ready(this.reader, signal);
        if (this.checkedConnection !== this.readerConnections) await this.recheck();
        const streams = [...this.streams.values()].filter(s => s.active);
        const reply = await this.reader.xread('COUNT', this.o.readCount, 'BLOCK', this.o.blockMs, 'STREAMS',
          this.wakeKey, ...streams.map(s => s.key), this.wakeId, ...streams.map(s => s.lastId));
        if (reply) this.deliver(reply as [string, [string, string[]][]][]);
      } catch (err) {
        if (signal.aborted) return;
        // A dropped connection is retried when it is back; an error from Redis itself (a key of
        // the wrong type, say) would come again at once, so it waits.
        if (this.reader.status === 'ready') {
          this.log.error({ event: 'error', err }, 'reading the Redis bus failed');
          await sleep(1000, undefined, { signal }).catch(() => undefined);
        }
      }
    }
  }

  /**
   * After a new connection: each stream goes on from its last entry, unless Redis has lost it
   * (another epoch) or holds an older copy of it (a lower counter); then it is a gap.
   */
  private async recheck() {
    const connection = this.readerConnections;
    this.wakeId = '0-0';
    const streams = [...this.streams.values()].filter(s => s.active);
    const now = await Promise.all(streams.map(s => positionScript.run(this.reader, [s.key, s.meta], [newEpoch(), this.o.streamTtlMs]) as Promise<[string, number, string]>));
    streams.forEach((s, i) => {
      const [epoch, offset, id] = now[i];
      if (this.streams.get(s.key) === s && (epoch !== s.epoch || offset < s.offset)) this.gap(s, epoch, offset, id);
    });
    this.checkedConnection = connection;
  }

  private deliver(reply: [string, [string, string[]][]][]) {
    for (const [key, entries] of reply) {
      if (key === this.wakeKey) { this.wakeId = entries[entries.length - 1][0]; continue; }
      const s = this.streams.get(key);
      // Unsubscribed meanwhile, or subscribed again from a later position.
      if (!s?.active) continue;
      for (const [id, fields] of entries) if (after(id, s.lastId)) this.entry(s, id, fields);
    }
  }

  private entry(s: Stream, id: string, fields: string[]) {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    const offset = Number(f.o);
    s.lastId = id;
    // Not written by publishScript (another program shares the key): not ours to count or show.
    if (!Number.isSafeInteger(offset) || !f.e) return this.unreadable(s, id);
    if (f.e !== s.epoch || offset !== s.offset + 1) this.gap(s, f.e, offset - 1, id);
    s.offset = offset;
    let event: unknown;
    try { event = JSON.parse(f.d); } catch { return this.unreadable(s, id); }
    if (typeof event !== 'object' || event === null) return this.unreadable(s, id);
    this.fanOut(s, Object.assign(event as ChannelEvent | GlobalEvent, { offset, epoch: s.epoch }));
  }

  private unreadable(s: Stream, id: string) {
    this.log.error({ event: 'error', stream: s.key, id }, 'an entry on the Redis bus that Palaver did not write');
  }

  /** Events may be missing before the stream's position (epoch, offset, last id): say so. */
  private gap(s: Stream, epoch: string, offset: number, lastId: string) {
    Object.assign(s, { epoch, offset, lastId });
    this.log.warn({ event: 'gap', stream: s.channel ?? 'global' }, 'events may have been lost on the Redis bus; subscribers are told to read again');
    try { this.onGap(s.channel); } catch (err) { this.onError(err); }
    this.fanOut(s, s.channel === null ? { type: 'reset', offset, epoch } : { type: 'reset', channel: s.channel, offset, epoch });
  }

  private fanOut(s: Stream, e: ChannelEvent | GlobalEvent) {
    // One failing subscriber must not keep the event from the others.
    for (const fn of [...s.subscribers]) { try { (fn as (e: ChannelEvent | GlobalEvent) => void)(e); } catch (err) { this.onError(err); } }
  }
}
