// Limits per client address, so that one machine cannot take what is meant for everyone: open
// sockets, sessions held, new sessions and sign-in attempts per minute. Defaults are far above
// what a household or an office behind one NAT does. An IPv6 client is counted by its /64 (a
// single host is commonly given a whole /64), an IPv4-mapped address as the IPv4 address.
import { isIPv6 } from 'node:net';
import { silentLog, type Log } from '../../core/log.ts';

export interface AddressLimitOptions {
  /** Sessions one address may hold at once (default 200). */
  sessionsPerAddress: number;
  /** New sessions one address may open per minute (default 30, as a burst or spread out). */
  newSessionsPerMinute: number;
  /** Sign-in attempts one address may make per minute (default 20). */
  signInsPerMinute: number;
  /** WebSocket connections one address may have open at once (default 256). */
  socketsPerAddress: number;
}

export const ADDRESS_LIMIT_DEFAULTS: AddressLimitOptions = {
  sessionsPerAddress: 200,
  newSessionsPerMinute: 30,
  signInsPerMinute: 20,
  socketsPerAddress: 256,
};

export type SessionRefusal = 'too-many-sessions' | 'rate-limited';

const MINUTE = 60_000;

/** A token bucket holding up to `capacity` tokens, refilled at `capacity` a minute. */
class Bucket {
  private tokens: number;
  private at: number;
  /** The refusal was logged; stays quiet until a take succeeds again. */
  told = false;

  constructor(private readonly capacity: number, now: number) { this.tokens = capacity; this.at = now; }

  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) * this.capacity) / MINUTE);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    this.told = false;
    return true;
  }

  full(now: number): boolean { return this.tokens + ((now - this.at) * this.capacity) / MINUTE >= this.capacity; }
}

interface PerAddress {
  sessions: number;
  sockets: number;
  newSessions: Bucket;
  signIns: Bucket;
  /** A too-many-sessions refusal was logged since the last admitted session. */
  toldFull: boolean;
}

export class AddressLimits {
  private readonly byAddress = new Map<string, PerAddress>();
  private readonly opts: AddressLimitOptions;

  constructor(opts: Partial<AddressLimitOptions> = {}, private readonly log: Log = silentLog, private readonly now = Date.now) {
    this.opts = { ...ADDRESS_LIMIT_DEFAULTS, ...opts };
  }

  /** Counts a new session for `address`, or says why it may not have one. */
  admitSession(address: string): SessionRefusal | null {
    const a = this.of(address);
    if (a.sessions >= this.opts.sessionsPerAddress) {
      if (!a.toldFull) this.log.info({ event: 'refused', code: 'too-many-sessions', address }, 'too many sessions from one address');
      a.toldFull = true;
      return 'too-many-sessions';
    }
    if (!this.took(a.newSessions, address, 'new-session')) return 'rate-limited';
    a.sessions++;
    a.toldFull = false;
    return null;
  }

  releaseSession(address: string): void {
    const a = this.byAddress.get(addressKey(address));
    if (a) a.sessions--;
  }

  /** Asked before each sign-in attempt (a password to check, a name to claim). */
  signInAllowed(address: string): boolean { return this.took(this.of(address).signIns, address, 'sign-in'); }

  /** Counts an open socket for `address`, or refuses it. */
  admitSocket(address: string): boolean {
    const a = this.of(address);
    if (a.sockets >= this.opts.socketsPerAddress) return false;
    a.sockets++;
    return true;
  }

  releaseSocket(address: string): void {
    const a = this.byAddress.get(addressKey(address));
    if (a) a.sockets--;
  }

  /** Forgets addresses that hold nothing and whose buckets have refilled. */
  sweep(): void {
    const now = this.now();
    for (const [key, a] of this.byAddress) {
      if (a.sessions <= 0 && a.sockets <= 0 && a.newSessions.full(now) && a.signIns.full(now)) this.byAddress.delete(key);
    }
  }

  /** Addresses tracked (for tests of memory). */
  get size(): number { return this.byAddress.size; }

  private took(bucket: Bucket, address: string, what: string): boolean {
    if (bucket.take(this.now())) return true;
    // One line when an address starts being limited, not one per refused attempt.
    if (!bucket.told) this.log.info({ event: 'rate-limited', what, address }, `${what} rate limit reached`);
    bucket.told = true;
    return false;
  }

  private of(address: string): PerAddress {
    const key = addressKey(address);
    let a = this.byAddress.get(key);
    if (!a) {
      const now = this.now();
      a = { sessions: 0, sockets: 0, newSessions: new Bucket(this.opts.newSessionsPerMinute, now), signIns: new Bucket(this.opts.signInsPerMinute, now), toldFull: false };
      this.byAddress.set(key, a);
    }
    return a;
  }
}

/** The unit limits count by: an IPv4 address, or an IPv6 /64 prefix. */
export function addressKey(address: string): string {
  const ip = address.split('%')[0];
  if (!isIPv6(ip)) return ip;
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.slice(7);
  const [head, tail] = ip.split('::');
  const front = head ? head.split(':') : [];
  const back = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return groups.slice(0, 4).map(g => parseInt(g, 16).toString(16)).join(':') + '::/64';
}
