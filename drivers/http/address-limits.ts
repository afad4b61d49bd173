// Limits per client address, so that one machine cannot take what is meant for everyone: open
// sockets, sessions held, new sessions and sign-in attempts per minute. Defaults are far above
// what a household or an office behind one NAT does. An IPv6 client is counted by its /64 (a
// single host is commonly given a whole /64), an IPv4-mapped address as the IPv4 address.
import { isIPv6 } from 'node:net';
import { silentLog, type Log } from '../../core/log.ts';
import { TokenBucket } from '../../core/token-bucket.ts';

export interface AddressLimitOptions {
  /** Sessions one address may hold at once (default 200). */
  sessionsPerAddress: number;
  /** New sessions one address may open per minute (default 30, as a burst or spread out). */
  newSessionsPerMinute: number;
  /** Sign-in attempts one address may make per minute (default 20). */
  signInsPerMinute: number;
  /** WebSocket connections one address may have open at once (default 256). */
  socketsPerAddress: number;
  /** TCP connections to the HTTP server one address may have open at once, WebSockets included (default 512). */
  connectionsPerAddress: number;
}

export const ADDRESS_LIMIT_DEFAULTS: AddressLimitOptions = {
  sessionsPerAddress: 200,
  newSessionsPerMinute: 30,
  signInsPerMinute: 20,
  socketsPerAddress: 256,
  connectionsPerAddress: 512,
};

export type SessionRefusal = 'too-many-sessions' | 'rate-limited';

/** A per-minute allowance, and whether its running out was logged (quiet until it allows again). */
interface Allowance { bucket: TokenBucket; told: boolean }

const perMinute = (n: number, now: number): Allowance => ({ bucket: new TokenBucket({ burst: n, perSecond: n / 60 }, now), told: false });

interface PerAddress {
  sessions: number;
  sockets: number;
  connections: number;
  /** A too-many-connections refusal was logged since the last admitted connection. */
  toldConnections: boolean;
  newSessions: Allowance;
  signIns: Allowance;
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

  /** Counts an open TCP connection for `address`, or refuses it (logged once until one is admitted). */
  admitConnection(address: string): boolean {
    const a = this.of(address);
    if (a.connections >= this.opts.connectionsPerAddress) {
      if (!a.toldConnections) this.log.info({ event: 'refused', code: 'too-many-connections', address }, 'too many connections from one address');
      a.toldConnections = true;
      return false;
    }
    a.connections++;
    a.toldConnections = false;
    return true;
  }

  releaseConnection(address: string): void {
    const a = this.byAddress.get(addressKey(address));
    if (a) a.connections--;
  }

  /** Forgets addresses that hold nothing and whose buckets have refilled. */
  sweep(): void {
    const now = this.now();
    for (const [key, a] of this.byAddress) {
      if (a.sessions <= 0 && a.sockets <= 0 && a.connections <= 0 && a.newSessions.bucket.full(now) && a.signIns.bucket.full(now)) this.byAddress.delete(key);
    }
  }

  /** Addresses tracked (for tests of memory). */
  get size(): number { return this.byAddress.size; }

  private took(allowance: Allowance, address: string, what: string): boolean {
    if (allowance.bucket.take(this.now())) { allowance.told = false; return true; }
    // One line when an address starts being limited, not one per refused attempt.
    if (!allowance.told) this.log.info({ event: 'rate-limited', what, address }, `${what} rate limit reached`);
    allowance.told = true;
    return false;
  }

  private of(address: string): PerAddress {
    const key = addressKey(address);
    let a = this.byAddress.get(key);
    if (!a) {
      const now = this.now();
      a = { sessions: 0, sockets: 0, connections: 0, toldConnections: false, newSessions: perMinute(this.opts.newSessionsPerMinute, now), signIns: perMinute(this.opts.signInsPerMinute, now), toldFull: false };
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
