// The wire protocol: the driver interface serialised as JSON text frames. Pure code, shared by
// the server, the browser client and the remote terminal. Decoding never throws: a bad frame
// becomes a ProtocolError the caller answers with an `error` frame.
import type { Command } from './commands.ts';
import type { ErrorCode } from './errors.ts';
import type { Value } from './values.ts';
import { isPartRole, MAX_PARTS } from './roles.ts';
import { KINDS } from './schema.ts';

export const PROTOCOL_VERSION = 1;
export const MAX_FRAME_BYTES = 64 * 1024;

export type Sequenced = Command & { seq: number };

export type ServerFrame =
  | { op: 'hello'; version: number; resumed: boolean }
  | Sequenced
  /** A refusal or a protocol error: shown, never replayed. */
  | { op: 'error'; code: string; message: string }
  /** Sign-in succeeded: exchange this one-time ticket for a session cookie (POST /auth). */
  | { op: 'credential'; ticket: string }
  | { op: 'bye'; reason: string };

export type ClientFrame =
  | { op: 'hello'; version: number; tab?: string; after?: number; languages?: string[]; capabilities?: string[] }
  | { op: 'get'; after: number }
  | { op: 'event'; id: string; name: string; state: Record<string, Value> }
  | { op: 'input'; id: string; value: Value }
  | { op: 'auth'; user: string; password?: string }
  | { op: 'ack'; seq: number };

export class ProtocolError {
  constructor(readonly code: ErrorCode, readonly message: string) {}
}

type Check = (v: unknown) => boolean;
const str: Check = v => typeof v === 'string';
const shortStr: Check = v => typeof v === 'string' && v.length <= 256;
const count: Check = v => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const value: Check = v => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const opt = (c: Check): Check => v => v === undefined || c(v);
const record = (c: Check): Check => v => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(c);
const list = (c: Check): Check => v => Array.isArray(v) && v.length <= 32 && v.every(c);
const kind: Check = v => typeof v === 'string' && (KINDS as string[]).includes(v);
const parts: Check = v => record(isPartRole)(v) && Object.keys(v as object).length <= MAX_PARTS && Object.keys(v as object).every(k => k.length <= 64);

const CLIENT: Record<string, Record<string, Check>> = {
  hello: { version: count, tab: opt(shortStr), after: opt(count), languages: opt(list(shortStr)), capabilities: opt(list(shortStr)) },
  get: { after: count },
  event: { id: shortStr, name: shortStr, state: record(value) },
  input: { id: shortStr, value },
  auth: { user: str, password: opt(str) },
  ack: { seq: count },
};

const SERVER: Record<string, Record<string, Check>> = {
  hello: { version: count, resumed: v => typeof v === 'boolean' },
  new: { seq: count, id: str, kind, parent: v => v === null || typeof v === 'string', before: opt(str), attrs: record(value), events: list(str), parts: opt(parts) },
  set: { seq: count, id: str, attr: str, value },
  delete: { seq: count, id: str },
  clear: { seq: count },
  forbidden: { seq: count, reason: opt(str) },
  error: { code: str, message: str, seq: opt(count) },
  credential: { ticket: str },
  bye: { reason: str },
};

function decode<T>(text: string, schemas: Record<string, Record<string, Check>>): T | ProtocolError {
  if (text.length > MAX_FRAME_BYTES) return new ProtocolError('too-large', `frames are limited to ${MAX_FRAME_BYTES} bytes`);
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return new ProtocolError('bad-json', 'the frame is not valid JSON');
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return new ProtocolError('bad-frame', 'a frame must be a JSON object');
  const op = (obj as { op?: unknown }).op;
  if (typeof op !== 'string' || !Object.prototype.hasOwnProperty.call(schemas, op)) {
    return new ProtocolError('unknown-op', `unknown op ${JSON.stringify(op)} (expected one of ${Object.keys(schemas).join(', ')})`);
  }
  const schema = schemas[op];
  for (const key of Object.keys(obj)) {
    if (key !== 'op' && !Object.prototype.hasOwnProperty.call(schema, key)) return new ProtocolError('bad-frame', `${op}: unexpected field ${key}`);
  }
  for (const [key, check] of Object.entries(schema)) {
    if (!check((obj as Record<string, unknown>)[key])) return new ProtocolError('bad-frame', `${op}: missing or invalid field ${key}`);
  }
  return obj as T;
}

export function decodeClientFrame(text: string): ClientFrame | ProtocolError {
  return decode<ClientFrame>(text, CLIENT);
}

export function decodeServerFrame(text: string): ServerFrame | ProtocolError {
  return decode<ServerFrame>(text, SERVER);
}

export function encode(frame: ServerFrame | ClientFrame): string {
  return JSON.stringify(frame);
}
