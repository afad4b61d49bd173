// Where the HTTP front-end listens, and what its cookies are called: one definition for the
// server, the browser client and the Node client.
export const PATHS = {
  /** The WebSocket upgrade carrying the wire protocol. */
  session: '/session',
  /** The long-poll fallback: frames in, frames out. */
  poll: '/poll',
  /** One-time credential tickets exchanged for the session cookie. */
  auth: '/auth',
  health: '/healthz',
} as const;

/** The signed session cookie: who is signed in. */
export const COOKIE = 'palaver';
/** The signed browser cookie: an anonymous id that, with a tab id, finds a session nobody signed in to. */
export const BROWSER_COOKIE = 'palaver-browser';
