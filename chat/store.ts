// What the chat keeps. Asynchronous throughout, so that a networked store (Redis) can stand in
// for SQLite without changing the chat.

export interface UserRecord { key: string; name: string; passwordHash: string | null; lastChannel: string | null; createdAt: number }
export interface LoginRecord { tokenHash: string; userKey: string; name: string; createdAt: number; expiresAt: number }
export interface Channel { key: string; name: string; creator: string | null; createdAt: number }
export interface Message { id: number; channel: string; author: string; authorKey: string; text: string; at: number }
export interface Alert { id: number; author: string; text: string; at: number }

export interface ChatStore {
  close(): Promise<void>;

  getUser(key: string): Promise<UserRecord | null>;
  /**
   * In one step, signs in under a name that has no password: creates the user (or takes its
   * display name as `login.name`), sets `passwordHash` if given, and stores the login. Refused
   * with 'taken' while an unexpired login holds the name, 'registered' if it has a password:
   * of concurrent claims exactly one wins.
   */
  claimName(login: LoginRecord, passwordHash: string | null, now: number): Promise<'ok' | 'taken' | 'registered'>;
  /** Sets the password of a user who has none, only while the login `tokenHash` holds the name; false otherwise. */
  setFirstPassword(key: string, hash: string, tokenHash: string, now: number): Promise<boolean>;
  setLastChannel(key: string, channel: string): Promise<void>;

  createLogin(login: LoginRecord): Promise<void>;
  getLogin(tokenHash: string): Promise<LoginRecord | null>;
  touchLogin(tokenHash: string, expiresAt: number): Promise<void>;
  deleteLogin(tokenHash: string): Promise<void>;
  /** Whether any login of this user is unexpired at `now`. */
  hasActiveLogin(userKey: string, now: number): Promise<boolean>;
  deleteExpiredLogins(now: number): Promise<number>;

  listChannels(): Promise<Channel[]>;
  getChannel(key: string): Promise<Channel | null>;
  /** False if a channel with that key exists already. */
  createChannel(channel: Channel): Promise<boolean>;

  addMessage(m: Omit<Message, 'id'>): Promise<Message>;
  getMessage(id: number): Promise<Message | null>;
  deleteMessage(id: number): Promise<boolean>;
  /** The newest `limit` messages of a channel older than `before`, oldest first. */
  messages(channel: string, limit: number, before?: number): Promise<Message[]>;

  grant(userKey: string, permission: string, by: string, at: number): Promise<void>;
  revoke(userKey: string, permission: string): Promise<void>;
  hasGrant(userKey: string, permission: string): Promise<boolean>;
  /** Every grant, as `userKey` and `permission` pairs. */
  listGrants(): Promise<{ userKey: string; permission: string }[]>;
  /**
   * A number that changes when another process has written to the store (`palaver grant` beside
   * a running server), and only then: cheap enough to ask every second.
   */
  externalVersion(): Promise<number>;

  addAlert(a: Omit<Alert, 'id'>): Promise<Alert>;
  alerts(limit: number): Promise<Alert[]>;
}
