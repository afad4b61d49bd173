// The two ways a client reaches its session: a WebSocket, or long-poll HTTP for clients
// without one. Both speak the same frames; both start with `hello`.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, decodeClientFrame, encode, ProtocolError, type ClientFrame } from '../../core/protocol.ts';
import type { Principal } from '../../core/session.ts';
import type { Connection, WireSession } from '../../core/wire-session.ts';
import type { SessionRegistry } from './registry.ts';

export interface Greeting {
  /** The session token from a valid signed cookie, if any. */
  token: string | null;
  languages: readonly string[];
}

type Resolve = (token: string) => Promise<Principal | null>;

export const errorFrame = (code: string, message: string) => encode({ op: 'error', code, message });
export const HELLO_FIRST = errorFrame('hello-first', 'the first frame must be hello');

/** Handles a client's hello: finds or creates its session and attaches the connection. */
export async function greet<S>(registry: SessionRegistry<S>, resolve: Resolve | undefined, conn: Connection, hello: ClientFrame & { op: 'hello' }, g: Greeting): Promise<WireSession<S> | null> {
  if (hello.version !== PROTOCOL_VERSION) {
    conn.send(errorFrame('version', `this server speaks protocol version ${PROTOCOL_VERSION}`));
    conn.close(4002, 'protocol version');
    return null;
  }
  const user = g.token && resolve ? await resolve(g.token) : null;
  const languages = g.languages.length ? g.languages : hello.languages ?? [];
  const ws = await registry.connect(conn, user, hello.tab ?? 'default', hello.after, languages);
  if (!ws) {
    conn.send(errorFrame('busy', 'the server is not taking more sessions right now'));
    conn.close(1013, 'busy');
  }
  return ws;
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

/** Serves one WebSocket: the first frame must be hello; then frames go to the session. */
export function serveSocket<S>(socket: WebSocket, registry: SessionRegistry<S>, resolve: Resolve | undefined, g: Greeting, onError: (e: unknown) => void) {
  // Frames produced in one turn of the event loop (a fan-out, a screen) leave in one write:
  // the TCP socket is corked at its first frame and uncorked once the turn is over.
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  const conn: Connection = {
    send: text => {
      if (socket.readyState !== socket.OPEN) return;
      cork(tcp);
      socket.send(text);
    },
    close: (code, reason) => socket.close(code, reason),
  };
  let session: WireSession<S> | null = null;
  let greeting: Promise<void> | null = null;
  const early: string[] = [];
  everySocket.add(socket);
  alive.add(socket);
  socket.on('pong', () => alive.add(socket));

  socket.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (isBinary) return conn.send(errorFrame('bad-frame', 'frames are JSON text'));
    if (bytes > MAX_FRAME_BYTES) return conn.send(errorFrame('too-large', `frames are limited to ${MAX_FRAME_BYTES} bytes`));
    const text = data.toString();
    if (session) return session.receive(text);
    if (greeting) { early.push(text); return; }
    const f = decodeClientFrame(text);
    if (f instanceof ProtocolError) return conn.send(errorFrame(f.code, f.message));
    if (f.op !== 'hello') return conn.send(HELLO_FIRST);
    greeting = greet(registry, resolve, conn, f, g).then(s => {
      session = s;
      for (const t of early.splice(0)) s?.receive(t);
    }, err => { onError(err); socket.close(1011, 'internal error'); });
  });

  socket.on('close', () => {
    alive.delete(socket);
    everySocket.delete(socket);
    if (session) session.detach(conn);
    else void greeting?.then(() => session?.detach(conn));
  });
  socket.on('error', onError);
}

/**
 * A long-poll connection: frames wait in a buffer until the client's next poll collects them.
 * It counts as detached once no poll has come for a while.
 */
export class PollConnection<S = unknown> implements Connection {
  private buffer: string[] = [];
  private readonly waiters = new Set<() => void>();
  session: WireSession<S> | null = null;
  lastPoll = Date.now();
  closed = false;

  send(text: string) {
    this.buffer.push(text);
    for (const wake of [...this.waiters]) wake();
  }

  close() {
    this.closed = true;
    for (const wake of [...this.waiters]) wake();
  }

  /** Waits up to `ms` for frames, then returns them all as one JSON array. */
  async collect(ms: number): Promise<string> {
    this.lastPoll = Date.now();
    if (!this.buffer.length && !this.closed && ms > 0) {
      await new Promise<void>(resolve => {
        const finish = () => { clearTimeout(timer); this.waiters.delete(wake); resolve(); };
        // Let the frames of one tick gather before answering.
        const wake = () => { this.waiters.delete(wake); setImmediate(finish); };
        const timer = setTimeout(finish, ms);
        this.waiters.add(wake);
      });
    }
    this.lastPoll = Date.now();
    const out = `[${this.buffer.join(',')}]`;
    this.buffer = [];
    return out;
  }
}
