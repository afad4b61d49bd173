// Every live session of the server, keyed by who holds it and which tab it belongs to. Re-keys
// sessions on sign-in and sign-out, hands out one-time tickets that turn into cookies, ends
// sessions left detached too long, keeps sign-ins alive, and keeps the table from filling up:
// limits per client address and per sign-in, and the oldest anonymous (else detached signed-in)
// session makes room when it is full.
import { randomBytes } from 'node:crypto';
import { silentLog, type Log } from '../../core/log.ts';
import type { Application, Principal } from '../../core/session.ts';
import { WireSession, type Connection, type WireSessionOptions } from './wire-session.ts';
import { AddressLimits, type AddressLimitOptions, type SessionRefusal } from './address-limits.ts';

export interface RegistryOptions {
  /** How long a session lives on without a connection. */
  detachedTtlMs: number;
  /** Sessions at most, to bound memory whatever clients do. */
  maxSessions: number;
  /**
   * Sessions nobody is signed in to at most (default 10,000): past it the oldest of them makes
   * room, however empty the table, so a flood of login screens costs a bounded few megabytes.
   */
  maxAnonymous?: number;
  /** How long a session nobody is signed in to outlives its connection (default 1 minute). */
  anonymousTtlMs?: number;
  /**
   * Sessions of one sign-in at most (default 32): one cookie opens tabs from any address. Past
   * it the sign-in's oldest detached session ends, or, all being connected, a new one is refused.
   */
  maxPerSignIn?: number;
  limits?: Partial<AddressLimitOptions>;
  log?: Log;
  /** Each session's output budget and frame rates (defaults in core/). */
  wire?: Pick<WireSessionOptions, 'output' | 'rates'>;
}

/** Who is connecting, as far as the server can tell. */
export interface Visitor {
  /** The signed-in user of the session cookie, if any. */
  user: Principal | null;
  /** The anonymous browser id of the browser cookie, if any. */
  browser: string | null;
  /** The client's address. */
  address: string;
}

export type Refusal = 'busy' | SessionRefusal;

interface Entry {
  key: string;
  /** The tab the client named (or one made up for it). */
  tab: string;
  browser: string | null;
  /** The sign-in token the session is under, if any. */
  token: string | null;
  /** Whether its tab id finds it while nobody is signed in (see `connect`). */
  byTab: boolean;
  /** The address that opened it: it counts against that address's limit. */
  home: string;
  /** The address of its latest connection: sign-in attempts count against it. */
  address: string;
  log: Log;
}

interface Ticket { token: string | null; expires: number }

const TICKET_TTL_MS = 60_000;

export class SessionRegistry<S> {
  private readonly sessions = new Map<string, WireSession<S>>();
  private readonly entries = new Map<WireSession<S>, Entry>();
  /** Sessions nobody is signed in to, oldest first: the first to go when the table is full. */
  private readonly anonymous = new Set<WireSession<S>>();
  /** The sessions of each sign-in token. */
  private readonly byToken = new Map<string, Set<WireSession<S>>>();
  private readonly tickets = new Map<string, Ticket>();
  private readonly limits: AddressLimits;
  private readonly log: Log;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly maxAnonymous: number;
  private readonly anonymousTtlMs: number;
  private readonly maxPerSignIn: number;
  private toldBusy = false;
  private closing = false;

  constructor(private readonly app: Application<S>, private readonly opts: RegistryOptions) {
    this.log = opts.log ?? silentLog;
    this.limits = new AddressLimits(opts.limits, this.log);
    this.maxAnonymous = opts.maxAnonymous ?? 10_000;
    this.maxPerSignIn = opts.maxPerSignIn ?? 32;
    this.anonymousTtlMs = Math.min(opts.anonymousTtlMs ?? 60_000, opts.detachedTtlMs);
    const every = Math.max(1000, Math.min(60_000, Math.floor(this.anonymousTtlMs / 3)));
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  get size(): number { return this.sessions.size; }

  /** Sessions nobody is signed in to. */
  get anonymousCount(): number { return this.anonymous.size; }

  /** All sessions, for inspection. */
  all(): WireSession<S>[] { return [...this.sessions.values()]; }

  /** The per-address limits, also asked for sockets by the server. */
  get addressLimits(): AddressLimits { return this.limits; }

  /**
   * The session of `tab` for `who` (creating it if new), with `conn` attached; without a tab, a
   * new session of its own. Or why not.
   */
  async connect(conn: Connection, who: Visitor, tab: string | undefined, after: number | undefined, languages: readonly string[], capabilities?: readonly string[]): Promise<WireSession<S> | Refusal> {
    if (this.closing) return 'busy';
    const t = tab ?? randomId();
    const key = keyOf(who.user?.token ?? null, who.browser, t);
    const existing = this.sessions.get(key);
    // Without any cookie a tab id is all a client shows: enough to take back a session nobody
    // holds (its own, after a drop), never one that another live connection holds.
    if (existing && (who.user || who.browser || !existing.attached)) {
      const e = this.entries.get(existing)!;
      e.address = who.address;
      e.log.info({ event: 'connect', address: who.address, resumed: true }, 'connected to its session');
      existing.heard(capabilities);
      existing.attach(conn, after);
      return existing;
    }
    const token = who.user?.token ?? null;
    const siblings = token ? this.byToken.get(token) : undefined;
    const full = siblings !== undefined && siblings.size >= this.maxPerSignIn;
    const stale = full ? oldestDetached(siblings) : undefined;
    if (full && !stale) {
      this.log.info({ event: 'refused', code: 'too-many-sessions', address: who.address, perSignIn: this.maxPerSignIn }, 'too many connected sessions of one sign-in');
      return 'too-many-sessions';
    }
    const refused = this.admit(who.address, who.user !== null);
    if (refused) return refused;
    if (stale) this.evict(stale, 'too many sessions of one sign-in: its oldest detached session makes room');
    const byTab = !existing;
    const entry: Entry = {
      key: byTab ? key : `x:${randomId()}`, tab: t, browser: who.browser, token: who.user?.token ?? null, byTab,
      home: who.address, address: who.address, log: this.log.child({ session: randomId().slice(0, 12) }),
    };
    const ws: WireSession<S> = new WireSession(this.app, languages, {
      ...this.opts.wire,
      log: entry.log,
      onError: err => entry.log.error({ event: 'error', err }, 'session error'),
      onPrincipal: next => this.principalChanged(ws, next),
      onEnd: () => this.drop(ws),
      signInAllowed: () => this.limits.signInAllowed(entry.address),
    });
    this.sessions.set(entry.key, ws);
    this.entries.set(ws, entry);
    if (!who.user) this.anonymous.add(ws);
    this.addToToken(ws, entry.token);
    entry.log.info({ event: 'connect', address: who.address, resumed: false, signedIn: who.user !== null }, 'new session');
    ws.heard(capabilities);
    ws.attach(conn);
    await ws.open(who.user);
    return ws;
  }

  /** Redeems a one-time ticket: the token to put in the cookie, or null to clear it. */
  redeem(ticket: string): { token: string | null } | undefined {
    const t = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!t || t.expires < Date.now()) return undefined;
    return { token: t.token };
  }

  /** Ends every session: the server is stopping (nobody is signed out). */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    await Promise.all(this.all().map(ws => this.end(ws, 'shutdown')));
  }

  /** Makes room for one more session from `address`, or says why not. Synchronous: no race. */
  private admit(address: string, signedIn: boolean): Refusal | null {
    const refused = this.limits.admitSession(address);
    if (refused) return refused;
    if (!signedIn && this.anonymous.size >= this.maxAnonymous) return this.evictOldestAnonymous('too many sessions nobody signed in to');
    if (this.sessions.size < this.opts.maxSessions) { this.toldBusy = false; return null; }
    if (this.anonymous.size) return this.evictOldestAnonymous('the session table is full');
    // Signed-in sessions nobody is connected to make room before anyone is turned away.
    const stale = oldestDetached(this.entries.keys());
    if (stale) { this.evict(stale, 'the session table is full: the oldest detached signed-in session makes room'); return null; }
    this.limits.releaseSession(address);
    // Every session is signed in: refuse, and say so once, not once per attempt.
    if (!this.toldBusy) this.log.warn({ event: 'refused', code: 'busy', address, sessions: this.sessions.size }, 'the session table is full of signed-in sessions');
    this.toldBusy = true;
    return 'busy';
  }

  private evictOldestAnonymous(why: string): null {
    this.evict(this.anonymous.values().next().value!, `${why}: the oldest anonymous session makes room`);
    return null;
  }

  private evict(victim: WireSession<S>, why: string) {
    const e = this.entries.get(victim)!;
    e.log.info({ event: 'evicted', address: e.address }, why);
    this.drop(victim);
    victim.refuse('evicted', 'this session was closed to make room for others');
    // Its sign-in lives on: the user's other tabs, and the cookie, still hold it.
    void this.end(victim, 'evicted');
  }

  private addToToken(ws: WireSession<S>, token: string | null) {
    if (!token) return;
    let set = this.byToken.get(token);
    if (!set) this.byToken.set(token, (set = new Set()));
    set.add(ws);
  }

  private removeFromToken(ws: WireSession<S>, token: string | null) {
    const set = token ? this.byToken.get(token) : undefined;
    if (!set) return;
    set.delete(ws);
    if (!set.size) this.byToken.delete(token!);
  }

  private principalChanged(ws: WireSession<S>, user: Principal | null) {
    const e = this.entries.get(ws);
    if (!e) return;
    const oldToken = e.token;
    e.token = user?.token ?? null;
    this.removeFromToken(ws, oldToken);
    this.addToToken(ws, e.token);
    if (user) {
      this.anonymous.delete(ws);
      e.log.info({ event: 'sign-in', name: user.name, address: e.address }, 'signed in');
    } else {
      this.anonymous.add(ws);
      e.log.info({ event: 'sign-out', address: e.address }, 'signed out');
    }
    this.rekey(ws, e, user || e.byTab ? keyOf(e.token, e.browser, e.tab) : e.key);
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, { token: e.token, expires: Date.now() + TICKET_TTL_MS });
    ws.frame({ op: 'credential', ticket });
    // Signing out in one tab signs out the user's other tabs: they share the cookie.
    if (!user && oldToken) {
      for (const [other, o] of this.entries) {
        if (other !== ws && o.token === oldToken) other.session.post(ui => ui.signOut());
      }
    }
  }

  private rekey(ws: WireSession<S>, e: Entry, key: string) {
    if (e.key === key) return;
    if (this.sessions.get(e.key) === ws) this.sessions.delete(e.key);
    const displaced = this.sessions.get(key);
    if (displaced && displaced !== ws) {
      this.drop(displaced);
      void this.end(displaced, 'closed');
    }
    e.key = key;
    this.sessions.set(key, ws);
  }

  /** Takes a session out of the table at once (its end may take a while). */
  private drop(ws: WireSession<S>) {
    const e = this.entries.get(ws);
    if (!e) return;
    if (this.sessions.get(e.key) === ws) this.sessions.delete(e.key);
    this.entries.delete(ws);
    this.anonymous.delete(ws);
    this.removeFromToken(ws, e.token);
    this.limits.releaseSession(e.home);
  }

  private end(ws: WireSession<S>, reason: 'closed' | 'expired' | 'shutdown' | 'evicted'): Promise<void> {
    return ws.session.end(reason).catch(err => this.log.error({ event: 'error', err }, 'ending a session failed'));
  }

  /** Ends sessions detached too long, drops stale tickets, renews sign-ins of connected sessions. */
  async sweep(now = Date.now()): Promise<void> {
    for (const [t, ticket] of this.tickets) if (ticket.expires < now) this.tickets.delete(t);
    this.limits.sweep();
    const renewed = new Set<string>();
    for (const ws of this.all()) {
      const ttl = ws.session.user ? this.opts.detachedTtlMs : this.anonymousTtlMs;
      if (ws.detachedAt !== null && now - ws.detachedAt >= ttl) {
        await this.end(ws, 'expired');
        continue;
      }
      const token = ws.session.user?.token;
      if (ws.attached && token && !renewed.has(token) && this.app.resume) {
        renewed.add(token);
        await this.app.resume(token).catch(err => this.log.error({ event: 'error', err }, 'renewing a sign-in failed'));
      }
    }
  }
}

/** The session left without a connection longest, if any (a scan: only when something is full). */
function oldestDetached<S>(sessions: Iterable<WireSession<S>>): WireSession<S> | undefined {
  let oldest: WireSession<S> | undefined;
  for (const ws of sessions) {
    if (ws.detachedAt !== null && (!oldest || ws.detachedAt < oldest.detachedAt!)) oldest = ws;
  }
  return oldest;
}

const randomId = () => randomBytes(16).toString('base64url');

// Keys: "t:<token>\0<tab>" for a signed-in tab, "b:<browser id>\0<tab>" for a browser's tab nobody
// signed in to, "a:\0<tab>" for a client without cookies, "x:<random>" for a session its tab id
// must not find (it was opened while another connection held that tab).
const keyOf = (token: string | null, browser: string | null, tab: string) =>
  (token ? `t:${token}` : browser ? `b:${browser}` : 'a:') + '\u0000' + tab;
