// The operator's log: the root pino logger that `palaver serve` gives fastify and every part.
// JSON lines for log collectors; human lines when someone is watching a terminal.
import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logLevel(value: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`--log-level: one of ${LOG_LEVELS.join(', ')}, not ${value}`);
}

export interface LogOptions {
  level: LogLevel;
  /** Human lines instead of JSON (for a terminal). */
  pretty: boolean;
  /** A file to append to instead of stdout. */
  file?: string;
}

// Parts are written never to log secrets; this catches a slip (a whole request, a frame) anyway.
const REDACT = ['password', 'token', 'ticket', 'credential', '*.password', '*.token', '*.ticket', '*.credential', 'req.headers.cookie', 'headers.cookie'];

export function createLogger(o: LogOptions): Logger {
  const options = { level: o.level, redact: REDACT };
  const dest = o.file ?? 1;
  // Synchronous writes: a line reaches the file or terminal before the process can exit, and no
  // worker thread is spent on it (pino's transports run one).
  if (o.pretty) return pino(options, pinoPretty({ sync: true, destination: dest, colorize: !o.file, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }));
  return pino(options, pino.destination({ dest, sync: true }));
}
