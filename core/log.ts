// The logger every part writes to. It has pino's call shape (fields first, then a message), so
// fastify's own logger is one; parts take it as an option and default to `silentLog`.
export interface Log {
  debug(fields: object, msg?: string): void;
  info(fields: object, msg?: string): void;
  warn(fields: object, msg?: string): void;
  error(fields: object, msg?: string): void;
  child(bindings: object): Log;
}

const nothing = () => undefined;
export const silentLog: Log = { debug: nothing, info: nothing, warn: nothing, error: nothing, child: () => silentLog };
