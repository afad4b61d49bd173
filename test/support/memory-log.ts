// A Log that keeps its lines in memory, so a test can read what the server told its operator.
import type { Log } from '../../core/log.ts';

export interface LogLine { level: 'debug' | 'info' | 'warn' | 'error'; fields: Record<string, unknown>; msg?: string }

export function memoryLog(): Log & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (fields: object, msg?: string) => { lines.push({ level, fields: fields as Record<string, unknown>, msg }); };
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (bindings: object) => childOf(bindings) };
  const childOf = (bindings: object): Log => {
    const wrap = (level: LogLine['level']) => (fields: object, msg?: string) => at(level)({ ...bindings, ...fields }, msg);
    return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error'), child: more => childOf({ ...bindings, ...more }) };
  };
  return log;
}
