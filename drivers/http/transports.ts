// The two ways a client reaches its session: a WebSocket, or long-poll HTTP for clients
// without one. Both speak the same frames; both start with `hello`.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, decodeClientFrame, encode, ProtocolError, type ClientFrame } from '../../core/protocol.ts';
import type { Log } from '../../core/log.ts';
import type { Principal } from '../../core/session.ts';
import { CLOSE, type ErrorCode } from '../../core/errors.ts';
import type { Connection, WireSession } from './wire-session.ts';
import type { Refusal, SessionRegistry } from './registry.ts';

export interface Greeting {
  /** The session token from a valid signed cookie, if any. */
  token: string | null;
  /** The anonymous browser id from a valid signed browser cookie, if any. */
  browser: string | null;
  /** The client's address (through trusted proxies). */
  address: string;
  languages: readonly string[];
  /** Called once the hello is answered, whatever the answer. */
  onGreeted?(): void;
}

type Resolve = (token: string) => Promise<Principal | null>;

export const errorFrame = (code: ErrorCode, message: string) => encode({ op: 'error', code, message });
export const HELLO_FIRST = errorFrame('hello-first', 'the first frame must be hello');

const REFUSALS: Record<Refusal, string> = {
  'busy': 'the server is not taking more sessions right now',
  'too-many-sessions': 'too many sessions from your address',
  'rate-limited': 'too many new sessions from your address; try again in a minute',
};

/** Handles a client's hello: finds or creates its session and attaches the connection. */
export async function greet<S>(registry: SessionRegistry<S>, resolve: Resolve | undefined, conn: Connection, hello: ClientFrame & { op: 'hello' }, g: Greeting): Promise<WireSession<S> | null> {
  try {
    if (hello.version !== PROTOCOL_VERSION) {
      conn.send(errorFrame('version', `this server speaks protocol version ${PROTOCOL_VERSION}`));
      conn.close(CLOSE.version.code, CLOSE.version.reason);
      return null;
    }
    const user = g.token && resolve ? await resolve(g.token) : null;
    // The client's own list (navigator.languages) first: Chromium does not apply a page's
    // language override to the WebSocket upgrade's Accept-Language.
    const languages = hello.languages?.length ? hello.languages : g.languages;
    const ws = await registry.connect(conn, { user, browser: g.browser, address: g.address }, hello.tab, hello.after, languages, hello.capabilities);
    if (typeof ws !== 'string') return ws;
    conn.send(errorFrame(ws, REFUSALS[ws]));
    conn.close(1013, ws);                  // 1013: try again later
    return null;
  } finally {
    g.onGreeted?.();
  }
}

// Sockets corked during this turn, all uncorked by one callback (a fan-out corks thousands).
const corked = new Set<Socket>();
function uncorkAll() {
  for (const tcp of corked) tcp.uncork();
  corked.clear();
}
function cork(tcp: Socket) {
  if (corked.has(tcp)) return;
  if (corked.size === 0) setImmediate(uncorkAll);
  corked.add(tcp);
  tcp.cork();
}

/** Frames a socket may send while its hello is being answered, and mistakes before it. */
const MAX_EARLY_FRAMES = 64;
const MAX_EARLY_STRIKES = 8;

// One heartbeat for all sockets: every 30 s, a socket that did not answer the last ping is
// dropped (its session lives on, detached), and the others are pinged again.
const alive = new Set<WebSocket>();
const everySocket = new Set<WebSocket>();
const heartbeat = setInterval(() => {
  for (const s of everySocket) {
    if (!alive.delete(s)) { s.terminate(); continue; }
    s.ping();
  }
}, 30_000);
heartbeat.unref();

/** How long a client gets to answer our close before its socket is cut. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Closes a WebSocket we no longer serve. ws waits up to 30 s for the client's half of the close
 * handshake; a client that ignores it would hold the socket and its buffers that long.
 */
export function closeSocket(socket: WebSocket, code?: number, reason?: string) {
  socket.close(code, reason);
  if (socket.readyState === socket.CLOSED) return;
  const cut = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
}

/** Serves one WebSocket: the first frame must be hello; then frames go to the session. */
export function serveSocket<S>(socket: WebSocket, registry: SessionRegistry<S>, resolve: Resolve | undefined, g: Greeting, log: Log) {
  // Frames produced in one turn of the event loop (a fan-out, a screen) leave in one write:
  // the TCP socket is corked at its first frame and uncorked once the turn is over.
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  const conn: Connection = {
    send: text => {
      if (socket.readyState !== socket.OPEN) return;
      cork(tcp);
      socket.send(text);
    },
    close: (code, reason) => closeSocket(socket, code, reason),
    buffered: () => socket.bufferedAmount,
    onDrain: cb => tcp.once('drain', cb),
    address: g.address || tcp.remoteAddress,
  };
  // Frames before the session exists: a few mistakes are answered, a stream of them closes.
  let strikes = 0;
  const refuseEarly = (text: string) => {
    if (++strikes > MAX_EARLY_STRIKES) return conn.close(CLOSE.badFrames.code, CLOSE.badFrames.reason);
    conn.send(text);
  };
  let session: WireSession<S> | null = null;
  let greeting: Promise<void> | null = null;
  const early: string[] = [];
  everySocket.add(socket);
  alive.add(socket);
  socket.on('pong', () => alive.add(socket));

  socket.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    const bad: [ErrorCode, string] | null = isBinary ? ['bad-frame', 'frames are JSON text'] : bytes > MAX_FRAME_BYTES ? ['too-large', `frames are limited to ${MAX_FRAME_BYTES} bytes`] : null;
    if (bad) return session ? session.badFrame(bad[0], bad[1]) : refuseEarly(errorFrame(bad[0], bad[1]));
    const text = data.toString();
    if (session) return session.receive(text);
    if (greeting) {
      if (early.length < MAX_EARLY_FRAMES) early.push(text);
      else refuseEarly(errorFrame('rate-limited', 'too many frames before the session is ready'));
      return;
    }
    const f = decodeClientFrame(text);
    if (f instanceof ProtocolError) return refuseEarly(errorFrame(f.code, f.message));
    if (f.op !== 'hello') return refuseEarly(HELLO_FIRST);
    greeting = greet(registry, resolve, conn, f, g).then(s => {
      session = s;
      for (const t of early.splice(0)) s?.receive(t);
    }, err => {
      log.error({ event: 'error', err, address: g.address }, 'hello failed');
      closeSocket(socket, 1011, 'internal error');
    });
  });

  socket.on('close', () => {
    alive.delete(socket);
    everySocket.delete(socket);
    if (session) session.detach(conn);
    else void greeting?.then(() => session?.detach(conn));
  });
  // ws reports what the client sent wrong (an oversized or malformed frame) as an error and closes
  // the socket itself: the client's fault, told to the operator as a refusal, without a stack.
  socket.on('error', (err: Error & { code?: string }) => {
    log.info({ event: 'refused', code: err.code ?? 'socket-error', address: g.address }, err.message);
    closeSocket(socket);                  // ws has sent its close; the client need not answer it
  });
}

/**
 * A long-poll connection: frames wait in a buffer until the client's next poll collects them.
 * It counts as detached once no poll has come for a while.
 */
export class PollConnection<S = unknown> implements Connection {
  private buffer: string[] = [];
  /** What the buffer holds, in UTF-16 units: the session's output budget bounds it. */
  private bufferedChars = 0;
  private drained: (() => void)[] = [];
  private readonly waiters = new Set<() => void>();
  /** Ends the poll waiting now, if any: one waiting poll per connection. */
  private answerWaiting: (() => void) | null = null;
  session: WireSession<S> | null = null;
  lastPoll = Date.now();
  closed = false;

  constructor(readonly address?: string) {}

  send(text: string) {
    this.buffer.push(text);
    this.bufferedChars += text.length;
    for (const wake of [...this.waiters]) wake();
  }

  buffered() { return this.bufferedChars; }

  onDrain(cb: () => void) { this.drained.push(cb); }

  close(code?: number) {
    this.closed = true;
    // Closed for its own behaviour (too slow, bad frames), its session lives on: the client's
    // next poll tells it to greet again, and it resumes as a WebSocket reconnects.
    if (code === CLOSE.tooSlow.code || code === CLOSE.badFrames.code) this.send(HELLO_FIRST);
    for (const wake of [...this.waiters]) wake();
  }

  /** Waits up to `ms` for frames, then returns them all as one JSON array. */
  async collect(ms: number): Promise<string> {
    this.lastPoll = Date.now();
    if (!this.buffer.length && !this.closed && ms > 0) {
      // A client waits with one poll at a time; an earlier one still waiting answers now, empty,
      // so a stream of polls for one tab holds one request, not all of them.
      this.answerWaiting?.();
      await new Promise<void>(resolve => {
        const finish = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          if (this.answerWaiting === finish) this.answerWaiting = null;
          resolve();
        };
        this.answerWaiting = finish;
        // Let the frames of one tick gather before answering.
        const wake = () => { this.waiters.delete(wake); setImmediate(finish); };
        const timer = setTimeout(finish, ms);
        this.waiters.add(wake);
      });
    }
    this.lastPoll = Date.now();
    const out = `[${this.buffer.join(',')}]`;
    this.buffer = [];
    this.bufferedChars = 0;
    // What the session held back while this buffer was full now waits for the next poll.
    for (const cb of this.drained.splice(0)) cb();
    return out;
  }
}
