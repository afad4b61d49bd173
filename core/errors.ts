// Every refusal a front-end can be told, in one place: the codes of `error(code, message)` (the
// driver interface, `error` frames, HTTP error bodies) and the WebSocket close codes. A code is
// for programs (a client decides what to do by it); the message beside it is for people.

export const ERROR_CODES = {
  // ---- a frame the server could not take (protocol) ----
  'too-large': 'a frame over the size limit (64 KiB)',
  'bad-json': 'a frame that is not JSON',
  'bad-frame': 'a frame missing a field or with a field of the wrong type',
  'unknown-op': 'a frame with an op the protocol does not have',
  'hello-first': 'the first frame of a connection must be hello',
  version: 'the client speaks another protocol version',
  'not-supported': 'the server does not take this request (auth without an application that signs in)',
  'rate-limited': 'too many frames or attempts of one kind; wait and try again',
  // ---- what the session refused (UI API) ----
  'no-such-widget': 'an event for a widget that is gone',
  modal: 'an event outside the popup that is open',
  disabled: 'an event on a disabled or hidden widget',
  'not-bound': 'an event the widget\'s description does not handle',
  busy: 'too much queued at once, or the session table is full',
  internal: 'an action failed; the session goes on',
  'auth-failed': 'a sign-in was refused; the message says why',
  // ---- the connection or the session (HTTP) ----
  evicted: 'the session was ended to make room for others',
  'too-many-sessions': 'one address or one sign-in holds too many sessions',
  'too-many-connections': 'one address holds too many connections',
  'bad-origin': 'a request from a page of an origin the server does not serve',
  'bad-ticket': 'a credential ticket that is unknown, used or expired',
  'bad-request': 'an HTTP request that does not fit its route',
  'too-deep': 'a JSON body nested too deep',
  // ---- told by a client to its own driver ----
  protocol: 'the server sent a frame the client cannot read',
  credential: 'the session cookie could not be fetched',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(s: string): s is ErrorCode {
  return Object.hasOwn(ERROR_CODES, s);
}

/** WebSocket close codes the server uses (4000–4999 are the application's). */
export const CLOSE = {
  replaced: { code: 4000, reason: 'replaced by a newer connection' },
  helloTimeout: { code: 4001, reason: 'no hello in time' },
  version: { code: 4002, reason: 'protocol version' },
  tooSlow: { code: 4008, reason: 'too slow: output budget exceeded' },
  badFrames: { code: 4009, reason: 'too many bad frames' },
  tooManySnapshots: { code: 4029, reason: 'too many reconnects that need a snapshot' },
} as const;
