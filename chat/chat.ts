// The chat: users, sign-in, channels, messages, presence, alerts and permissions. It stores
// through a ChatStore and announces through a Bus; it knows nothing about how it is shown.
import { createHash, randomBytes } from 'node:crypto';
import type { Bus } from './bus.ts';
import { ChatError } from './errors.ts';
import { channelName, messageText, nameKey, sortKey, userName } from './names.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { RateLimiter } from './rate-limit.ts';
import type { Channel, ChatStore, Message } from './store.ts';

export interface ChatConfig {
  /** Names that are administrators once registered with a password. */
  admins: readonly string[];
  /** When true, only administrators and users granted `create-channel` may create channels. */
  restrictChannels: boolean;
  messageLimit: { count: number; windowMs: number };
  passwordAttempts: { count: number; windowMs: number };
  /** How long a sign-in outlives its last sign of life (a detached session's lifetime). */
  loginTtlMs: number;
  maxMessageLength: number;
  /** Up to this many people in a channel, each join and leave is announced by itself… */
  announceEachUpTo: number;
  /** …beyond it they are counted and announced together this often. */
  crowdIntervalMs: number;
  /** How often to look for grants written by another process (`palaver grant`). */
  grantsPollMs: number;
}

export const DEFAULT_CONFIG: ChatConfig = {
  admins: [],
  restrictChannels: false,
  messageLimit: { count: 10, windowMs: 10_000 },
  passwordAttempts: { count: 5, windowMs: 15 * 60_000 },
  loginTtlMs: 10 * 60_000,
  maxMessageLength: 4000,
  announceEachUpTo: 50,
  crowdIntervalMs: 2000,
  grantsPollMs: 1000,
};

export const GENERAL = 'general';
export const PAGE = 100;
export const CREATE_CHANNEL = 'create-channel';

/** A signed-in user. `token` is the secret a front-end keeps (in a cookie) to resume. */
export interface Login { token: string; name: string; key: string }

/** What a signed-in user may do, as the screens show it. */
export interface Permissions { registered: boolean; admin: boolean; createChannels: boolean }

// A grant as one string (names never hold NUL), to compare sets of them.
const grantId = (key: string, permission: string) => `${key}\0${permission}`;
const grantUser = (id: string) => id.slice(0, id.indexOf('\0'));

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export class Chat {
  readonly config: ChatConfig;
  private readonly messageLimiter: RateLimiter;
  private readonly passwordLimiter: RateLimiter;
  private readonly adminKeys: Set<string>;
  /** channel key → user key → presence ids (one per session showing that channel). */
  private readonly presence = new Map<string, Map<string, { name: string; ids: Set<string> }>>();
  /** user key → presence ids of every session of that user (who is online). */
  private readonly online = new Map<string, Set<string>>();
  private readonly sendChains = new Map<string, Promise<unknown>>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  /** channel → its people's display names, sorted by name key. */
  private readonly sortedNames = new Map<string, string[]>();
  /** channel → joins and leaves not yet announced (big channels). */
  private readonly crowds = new Map<string, { joined: number; left: number; timer: ReturnType<typeof setTimeout> }>();
  /** channel → its last page of messages, frozen and shared by everyone who shows them. */
  private readonly recent = new Map<string, readonly Message[]>();
  /** Grants as last read (see grantId), to tell whose changed when another process writes. */
  private grantsSeen = new Set<string>();
  private storeVersion = 0;
  private grantsPoller: ReturnType<typeof setInterval> | undefined;
  private polling = false;

  constructor(readonly store: ChatStore, readonly bus: Bus, config: Partial<ChatConfig> = {}, private readonly now: () => number = Date.now) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    this.messageLimiter = new RateLimiter(this.config.messageLimit.count, this.config.messageLimit.windowMs, now);
    this.passwordLimiter = new RateLimiter(this.config.passwordAttempts.count, this.config.passwordAttempts.windowMs, now);
    this.adminKeys = new Set(this.config.admins.map(nameKey));
  }

  /** Creates what must always exist (the `general` channel). */
  async init(): Promise<this> {
    await this.store.createChannel({ key: GENERAL, name: GENERAL, creator: null, createdAt: this.now() });
    await this.sweep();
    // Expired sign-ins are already ignored; this only keeps them from piling up.
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), this.config.loginTtlMs);
    this.sweeper.unref?.();
    this.storeVersion = await this.store.externalVersion();
    this.grantsSeen = await this.readGrants();
    this.grantsPoller = setInterval(() => void this.pollGrants().catch(() => undefined), this.config.grantsPollMs);
    this.grantsPoller.unref?.();
    return this;
  }

  /** Deletes sign-ins that have expired; returns how many. */
  sweep(): Promise<number> {
    return this.store.deleteExpiredLogins(this.now());
  }

  // ---- identity ----

  /**
   * Signs in under `rawName`. A name registered with a password needs it; an unregistered name
   * is refused while someone is signed in under it. Giving a password for an unregistered name
   * registers it.
   */
  async signIn(rawName: unknown, password?: string): Promise<Login> {
    const name = userName(rawName);
    const existing = await this.store.getUser(name.key);
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    const login = { tokenHash: hashToken(token), userKey: name.key, name: existing?.passwordHash ? existing.name : name.display, createdAt: at, expiresAt: at + this.config.loginTtlMs };
    if (existing?.passwordHash) {
      if (!password) throw new ChatError('password-required');
      // The attempt counts before the (slow) check: concurrent tries cannot all pass the limit.
      if (!this.passwordLimiter.take(name.key)) throw new ChatError('rate-limited');
      if (!(await verifyPassword(password, existing.passwordHash))) throw new ChatError('wrong-password');
      this.passwordLimiter.reset(name.key);
      await this.store.createLogin(login);
    } else {
      if (password) checkPassword(password);
      // Refused early, before hashing; claimName checks again in the same step as it writes.
      if (await this.store.hasActiveLogin(name.key, at)) throw new ChatError('name-taken');
      const hash = password ? await hashPassword(password) : null;
      if ((await this.store.claimName(login, hash, this.now())) !== 'ok') throw new ChatError('name-taken');
    }
    return { token, name: login.name, key: name.key };
  }

  /** The login behind a token, if it is still valid; its lifetime is renewed. */
  async resume(token: unknown): Promise<Login | null> {
    if (typeof token !== 'string' || token.length > 128) return null;
    const rec = await this.store.getLogin(hashToken(token));
    if (!rec || rec.expiresAt <= this.now()) return null;
    await this.store.touchLogin(rec.tokenHash, this.now() + this.config.loginTtlMs);
    return { token, name: rec.name, key: rec.userKey };
  }

  /** Ends a sign-in: the name is free again unless registered. */
  async signOut(login: Login): Promise<void> {
    await this.store.deleteLogin(hashToken(login.token));
  }

  async registerPassword(login: Login, password: string): Promise<void> {
    checkPassword(password);
    const user = await this.store.getUser(login.key);
    if (!user) throw new ChatError('not-signed-in');
    if (user.passwordHash) throw new ChatError('not-allowed', 'this name already has a password');
    // Of concurrent registrations only the first sets it, and only while this sign-in holds the name.
    if (!(await this.store.setFirstPassword(login.key, await hashPassword(password), hashToken(login.token), this.now()))) throw new ChatError('not-allowed', 'this name already has a password');
    // A registered name may now hold its grants, and an administrator's name its powers.
    await this.bus.publishGlobal({ type: 'permissions', key: login.key });
  }

  async isRegistered(login: Login): Promise<boolean> {
    return Boolean((await this.store.getUser(login.key))?.passwordHash);
  }

  async isAdmin(login: Login): Promise<boolean> {
    return (await this.permissions(login)).admin;
  }

  async canCreateChannels(login: Login): Promise<boolean> {
    return (await this.permissions(login)).createChannels;
  }

  /**
   * Powers belong to names registered with a password: an administrator's name or a grant is
   * worth nothing until then, so that whoever signs in first under an unregistered name gets none.
   */
  async permissions(login: Login): Promise<Permissions> {
    const registered = Boolean((await this.store.getUser(login.key))?.passwordHash);
    const admin = registered && this.adminKeys.has(login.key);
    const createChannels = !this.config.restrictChannels || admin || (registered && (await this.store.hasGrant(login.key, CREATE_CHANNEL)));
    return { registered, admin, createChannels };
  }

  async grant(admin: Login, rawName: unknown, permission = CREATE_CHANNEL): Promise<void> {
    if (!(await this.isAdmin(admin))) throw new ChatError('not-allowed');
    const name = userName(rawName);
    if (!(await this.store.getUser(name.key))?.passwordHash) throw new ChatError('not-allowed', 'only a name registered with a password can be granted');
    await this.store.grant(name.key, permission, admin.key, this.now());
    this.grantsSeen.add(grantId(name.key, permission));
    await this.bus.publishGlobal({ type: 'permissions', key: name.key });
  }

  async revoke(admin: Login, rawName: unknown, permission = CREATE_CHANNEL): Promise<void> {
    if (!(await this.isAdmin(admin))) throw new ChatError('not-allowed');
    const key = userName(rawName).key;
    await this.store.revoke(key, permission);
    this.grantsSeen.delete(grantId(key, permission));
    await this.bus.publishGlobal({ type: 'permissions', key });
  }

  /**
   * Another process (`palaver grant`) may have written grants: when the store says so, read them
   * again and announce the users whose grants changed. Costs one cheap question a second.
   */
  private async pollGrants(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const version = await this.store.externalVersion();
      if (version === this.storeVersion) return;
      this.storeVersion = version;
      const current = await this.readGrants();
      const changed = new Set<string>();
      for (const g of current) if (!this.grantsSeen.has(g)) changed.add(grantUser(g));
      for (const g of this.grantsSeen) if (!current.has(g)) changed.add(grantUser(g));
      this.grantsSeen = current;
      for (const key of changed) await this.bus.publishGlobal({ type: 'permissions', key });
    } finally {
      this.polling = false;
    }
  }

  private async readGrants(): Promise<Set<string>> {
    return new Set((await this.store.listGrants()).map(g => grantId(g.userKey, g.permission)));
  }

  // ---- channels ----

  listChannels(): Promise<Channel[]> { return this.store.listChannels(); }

  /** A channel by its key, or by its name. */
  async channel(raw: unknown): Promise<Channel> {
    if (typeof raw !== 'string' || raw.length > 1000) throw new ChatError('no-such-channel');
    // A key is not always a valid name (a look-alike key may hold symbols): look it up as it is first.
    const byKey = await this.store.getChannel(raw);
    if (byKey) return byKey;
    let key: string;
    try { key = channelName(raw).key; } catch { throw new ChatError('no-such-channel'); }
    const ch = await this.store.getChannel(key);
    if (!ch) throw new ChatError('no-such-channel');
    return ch;
  }

  async createChannel(login: Login, raw: unknown): Promise<Channel> {
    const name = channelName(raw);
    if (!(await this.canCreateChannels(login))) throw new ChatError('not-allowed');
    const ch: Channel = { key: name.key, name: name.display, creator: login.name, createdAt: this.now() };
    if (!(await this.store.createChannel(ch))) throw new ChatError('channel-exists');
    await this.bus.publishGlobal({ type: 'channel-created', channel: ch });
    return ch;
  }

  async lastChannel(login: Login): Promise<Channel> {
    const last = (await this.store.getUser(login.key))?.lastChannel;
    return (last && (await this.store.getChannel(last))) || (await this.channel(GENERAL));
  }

  // ---- presence ----

  /** A session of `login` now shows `channel`. Announces the join if it is the user's first there. */
  async join(login: Login, channel: string, presenceId: string): Promise<void> {
    await this.channel(channel);
    let users = this.presence.get(channel);
    if (!users) { users = new Map(); this.presence.set(channel, users); }
    let entry = users.get(login.key);
    const first = !entry;
    if (!entry) { entry = { name: login.name, ids: new Set() }; users.set(login.key, entry); }
    entry.ids.add(presenceId);
    await this.store.setLastChannel(login.key, channel);
    if (!first) return;
    this.addSorted(channel, login.name);
    await this.announce(channel, 'joined', login.name);
  }

  /** A session of `login` no longer shows `channel`. Announces the leave if it was the user's last there. */
  async leave(login: Login, channel: string, presenceId: string): Promise<void> {
    const users = this.presence.get(channel);
    const entry = users?.get(login.key);
    if (!entry || !entry.ids.delete(presenceId)) return;
    if (entry.ids.size) return;
    users!.delete(login.key);
    if (!users!.size) this.presence.delete(channel);
    this.removeSorted(channel, login.name);
    await this.announce(channel, 'left', login.name);
  }

  /** Who is in `channel` now, by display name, sorted by name. Do not modify the array. */
  present(channel: string): readonly string[] {
    return this.sortedNames.get(channel) ?? [];
  }

  presentCount(channel: string): number {
    return this.presence.get(channel)?.size ?? 0;
  }

  /** Announces a join or leave at once in a small channel; counts it for later in a big one. */
  private async announce(channel: string, type: 'joined' | 'left', name: string) {
    if (this.presentCount(channel) <= this.config.announceEachUpTo && !this.crowds.has(channel)) {
      await this.bus.publishChannel(channel, { type, channel, name, at: this.now() });
      return;
    }
    let crowd = this.crowds.get(channel);
    if (!crowd) {
      const timer = setTimeout(() => {
        this.crowds.delete(channel);
        void this.bus.publishChannel(channel, { type: 'crowd', channel, joined: crowd!.joined, left: crowd!.left, at: this.now() });
      }, this.config.crowdIntervalMs);
      timer.unref?.();
      crowd = { joined: 0, left: 0, timer };
      this.crowds.set(channel, crowd);
    }
    crowd[type]++;
  }

  private addSorted(channel: string, name: string) {
    let list = this.sortedNames.get(channel);
    if (!list) { list = []; this.sortedNames.set(channel, list); }
    const key = sortKey(name);
    let lo = 0, hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (sortKey(list[mid]) < key) lo = mid + 1; else hi = mid; }
    list.splice(lo, 0, name);
  }

  private removeSorted(channel: string, name: string) {
    const list = this.sortedNames.get(channel);
    const at = list?.indexOf(name) ?? -1;
    if (at >= 0) list!.splice(at, 1);
    if (list && !list.length) this.sortedNames.delete(channel);
  }

  /** Stops the timers of pending announcements. */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.grantsPoller) clearInterval(this.grantsPoller);
    for (const c of this.crowds.values()) clearTimeout(c.timer);
    this.crowds.clear();
  }

  /** A session of `login` is connected; publishes the user coming online if it is the first. */
  async connect(login: Login, presenceId: string): Promise<void> {
    let ids = this.online.get(login.key);
    if (!ids) { ids = new Set(); this.online.set(login.key, ids); }
    const first = ids.size === 0;
    ids.add(presenceId);
    if (first) await this.bus.publishGlobal({ type: 'presence', name: login.name, online: true });
  }

  async disconnect(login: Login, presenceId: string): Promise<void> {
    const ids = this.online.get(login.key);
    if (!ids?.delete(presenceId) || ids.size) return;
    this.online.delete(login.key);
    await this.bus.publishGlobal({ type: 'presence', name: login.name, online: false });
  }

  isOnline(rawName: string): boolean { return (this.online.get(nameKey(rawName))?.size ?? 0) > 0; }

  // ---- messages ----

  /** Stores and publishes a message. Sends to one channel are stored and published in one order. */
  async send(login: Login, channel: string, raw: unknown): Promise<Message> {
    const text = messageText(raw, this.config.maxMessageLength);
    if (!this.messageLimiter.take(login.key)) throw new ChatError('rate-limited');
    return this.serialised(channel, async () => {
      await this.channel(channel);
      const m = Object.freeze(await this.store.addMessage({ channel, author: login.name, authorKey: login.key, text, at: this.now() }));
      const page = this.recent.get(channel);
      if (page) this.recent.set(channel, [...page.slice(page.length >= PAGE ? 1 : 0), m]);
      await this.bus.publishChannel(channel, { type: 'message', message: m });
      return m;
    });
  }

  /**
   * The last page of a channel, or the page before message `before`; oldest first. The last
   * page comes from memory, as the same frozen objects for everyone.
   */
  async history(channel: string, before?: number, limit = PAGE): Promise<readonly Message[]> {
    if (before !== undefined || limit > PAGE) return this.store.messages(channel, limit, before);
    const page = await this.serialised(channel, async () => {
      let cached = this.recent.get(channel);
      if (!cached) {
        cached = (await this.store.messages(channel, PAGE)).map(m => Object.freeze(m));
        this.recent.set(channel, cached);
      }
      return cached;
    });
    return page.slice(-limit);
  }

  /** Deletes one's own message; never another's. */
  async deleteMessage(login: Login, id: number): Promise<void> {
    const m = await this.store.getMessage(id);
    if (!m) throw new ChatError('no-such-message');
    if (m.authorKey !== login.key) throw new ChatError('not-allowed');
    await this.serialised(m.channel, async () => {
      const page = this.recent.get(m.channel);
      // The cached page would now be one short: read it again when next asked.
      if (page?.some(x => x.id === id)) this.recent.delete(m.channel);
      if (await this.store.deleteMessage(id)) await this.bus.publishChannel(m.channel, { type: 'deleted', channel: m.channel, id });
    });
  }

  // ---- alerts ----

  async alert(login: Login, raw: unknown): Promise<void> {
    if (!(await this.isAdmin(login))) throw new ChatError('not-allowed');
    const text = messageText(raw, this.config.maxMessageLength);
    const alert = await this.store.addAlert({ author: login.name, text, at: this.now() });
    await this.bus.publishGlobal({ type: 'alert', alert });
  }

  private serialised<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.sendChains.get(channel) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.sendChains.set(channel, tail);
    void tail.then(() => { if (this.sendChains.get(channel) === tail) this.sendChains.delete(channel); });
    return next;
  }
}

function checkPassword(password: string) {
  if (typeof password !== 'string' || password.length < 4 || password.length > 256) throw new ChatError('password-invalid');
}
