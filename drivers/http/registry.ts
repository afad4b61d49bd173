// Every live session of the server, keyed by who holds it (the signed-in token, or nobody) and
// which tab it belongs to. Re-keys sessions on sign-in and sign-out, hands out one-time tickets
// that turn into cookies, ends sessions left detached too long, and keeps sign-ins alive.
import { randomBytes } from 'node:crypto';
import type { Application, Principal } from '../../core/session.ts';
import { WireSession, type Connection } from '../../core/wire-session.ts';

export interface RegistryOptions {
  /** How long a session lives on without a connection. */
  detachedTtlMs: number;
  /** Sessions at most, to bound memory whatever clients do. */
  maxSessions: number;
  onError(err: unknown): void;
}

interface Ticket { token: string | null; expires: number }

const TICKET_TTL_MS = 60_000;

export class SessionRegistry<S> {
  private readonly sessions = new Map<string, WireSession<S>>();
  private readonly keys = new Map<WireSession<S>, string>();
  private readonly tickets = new Map<string, Ticket>();
  private readonly timer: ReturnType<typeof setInterval>;
  private closing = false;

  constructor(private readonly app: Application<S>, private readonly opts: RegistryOptions) {
    const every = Math.max(1000, Math.min(60_000, Math.floor(opts.detachedTtlMs / 3)));
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  get size(): number { return this.sessions.size; }

  /** All sessions, for inspection. */
  all(): WireSession<S>[] { return [...this.sessions.values()]; }

  /** The session of `tab` for `user` (creating it if new), with `conn` attached. */
  async connect(conn: Connection, user: Principal | null, tab: string, after: number | undefined, languages: readonly string[]): Promise<WireSession<S> | null> {
    if (this.closing) return null;
    const key = keyOf(user, tab);
    const existing = this.sessions.get(key);
    if (existing) {
      existing.attach(conn, after);
      return existing;
    }
    if (this.sessions.size >= this.opts.maxSessions) return null;
    const ws: WireSession<S> = new WireSession(this.app, languages, {
      onError: this.opts.onError,
      onPrincipal: next => this.principalChanged(ws, next),
      onEnd: () => this.forget(ws),
    });
    this.sessions.set(key, ws);
    this.keys.set(ws, key);
    ws.attach(conn);
    await ws.open(user);
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
    await Promise.all(this.all().map(ws => ws.session.end('shutdown').catch(this.opts.onError)));
  }

  private principalChanged(ws: WireSession<S>, user: Principal | null) {
    const oldKey = this.keys.get(ws);
    if (!oldKey) return;
    const tab = tabOf(oldKey);
    const oldToken = tokenOf(oldKey);
    this.rekey(ws, keyOf(user, tab));
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, { token: user?.token ?? null, expires: Date.now() + TICKET_TTL_MS });
    ws.frame({ op: 'credential', ticket });
    // Signing out in one tab signs out the user's other tabs: they share the cookie.
    if (!user && oldToken) {
      for (const [key, other] of this.sessions) {
        if (other !== ws && tokenOf(key) === oldToken) other.session.post(ui => ui.signOut());
      }
    }
  }

  private rekey(ws: WireSession<S>, key: string) {
    const old = this.keys.get(ws);
    if (old === key) return;
    if (old) this.sessions.delete(old);
    const displaced = this.sessions.get(key);
    if (displaced && displaced !== ws) void displaced.session.end('closed').catch(this.opts.onError);
    this.sessions.set(key, ws);
    this.keys.set(ws, key);
  }

  private forget(ws: WireSession<S>) {
    const key = this.keys.get(ws);
    if (key && this.sessions.get(key) === ws) this.sessions.delete(key);
    this.keys.delete(ws);
  }

  /** Ends sessions detached too long, drops stale tickets, renews sign-ins of connected sessions. */
  async sweep(now = Date.now()): Promise<void> {
    for (const [t, ticket] of this.tickets) if (ticket.expires < now) this.tickets.delete(t);
    const renewed = new Set<string>();
    for (const ws of this.all()) {
      if (ws.detachedAt !== null && now - ws.detachedAt >= this.opts.detachedTtlMs) {
        await ws.session.end('expired').catch(this.opts.onError);
        continue;
      }
      const token = ws.session.user?.token;
      if (ws.attached && token && !renewed.has(token) && this.app.resume) {
        renewed.add(token);
        await this.app.resume(token).catch(this.opts.onError);
      }
    }
  }
}

// Keys: "t:<token>\u0000<tab>" for a signed-in tab, "a:\u0000<tab>" for one nobody signed in to.
const keyOf = (user: Principal | null, tab: string) => (user ? `t:${user.token}` : 'a:') + '\u0000' + tab;
const tabOf = (key: string) => key.slice(key.indexOf('\u0000') + 1);
const tokenOf = (key: string) => (key.startsWith('t:') ? key.slice(2, key.indexOf('\u0000')) : null);
