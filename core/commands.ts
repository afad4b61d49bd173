// The commands a session sends to a front-end, as data: what the wire protocol carries and
// what a snapshot is made of. `apply` plays them onto a driver.
import type { Driver, WidgetId, WidgetSpec } from './driver.ts';
import type { ErrorCode } from './errors.ts';
import type { Value } from './values.ts';

export type Command =
  | ({ op: 'new' } & WidgetSpec)
  | { op: 'set'; id: WidgetId; attr: string; value: Value }
  | { op: 'delete'; id: WidgetId }
  | { op: 'clear' }
  | { op: 'forbidden'; reason?: string }
  | { op: 'error'; code: ErrorCode; message: string };

export function apply(driver: Driver, c: Command): void {
  switch (c.op) {
    case 'new': { const { op: _, ...spec } = c; driver.create(spec); break; }
    case 'set': driver.set(c.id, c.attr, c.value); break;
    case 'delete': driver.remove(c.id); break;
    case 'clear': driver.clear(); break;
    case 'forbidden': driver.forbidden(c.reason); break;
    case 'error': driver.error(c.code, c.message); break;
  }
}
