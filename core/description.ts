// Turns read s-expressions into validated widget templates. Every problem is reported with
// file:line:col, and all problems of a file are collected rather than stopping at the first.
import { readAll, ReadError, describe, type Datum, type Position } from './sexpr.ts';
import { SCHEMA, isKind, KINDS, type WidgetKind, type AttrType } from './schema.ts';
import { Translatable, type DescriptionValue, type Value } from './values.ts';

export interface Binding { action: string; args: Value[]; pos: Position }

export interface Template {
  kind: WidgetKind;
  name?: string;
  attrs: Record<string, DescriptionValue>;
  on: Record<string, Binding>;
  children: Template[];
  pos: Position;
}

export interface Description { name: string; file: string; root: Template }

export class Problem {
  constructor(readonly pos: Position, readonly message: string) {}
  toString() { return `${this.pos.file}:${this.pos.line}:${this.pos.col}: ${this.message}`; }
}

export class DescriptionError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(String).join('\n'));
  }
}

export interface CompileOptions {
  /** Names of the actions a binding may call. */
  actions: ReadonlySet<string>;
}

/** Reads and validates one description. Throws DescriptionError listing every problem. */
export function compileDescription(source: string, file: string, name: string, opts: CompileOptions): Description {
  let data: Datum[];
  try {
    data = readAll(source, file);
  } catch (e) {
    if (e instanceof ReadError) throw new DescriptionError([new Problem(e.pos, e.reason)]);
    throw e;
  }
  const problems: Problem[] = [];
  if (data.length === 0) throw new DescriptionError([new Problem({ file, line: 1, col: 1 }, 'expected a (window …) or (popup …) description, found nothing')]);
  for (const extra of data.slice(1)) problems.push(new Problem(extra.pos, 'one description per file: unexpected second top-level form'));
  const names = new Map<string, Position>();
  const root = widget(data[0], null, { problems, names, actions: opts.actions });
  if (root && root.kind !== 'window' && root.kind !== 'popup') {
    problems.push(new Problem(root.pos, `a description's root must be window or popup, not ${root.kind}`));
  }
  if (problems.length || !root) throw new DescriptionError(problems);
  return { name, file, root };
}

interface Ctx { problems: Problem[]; names: Map<string, Position>; actions: ReadonlySet<string> }

function widget(d: Datum, parent: WidgetKind | null, ctx: Ctx): Template | null {
  const fail = (pos: Position, msg: string) => { ctx.problems.push(new Problem(pos, msg)); return null; };
  if (d.type !== 'list' || d.items.length === 0) return fail(d.pos, `expected a widget such as (label …), found ${describe(d)}`);
  const head = d.items[0];
  if (head.type !== 'symbol') return fail(head.pos, `expected a widget kind, found ${describe(head)}`);
  if (!isKind(head.value)) return fail(head.pos, `unknown widget kind ${head.value} (expected one of ${KINDS.join(', ')})`);
  const kind = head.value;
  const schema = SCHEMA[kind];
  if (parent && !SCHEMA[parent].children.includes(kind)) {
    fail(head.pos, `${kind} cannot be placed in ${parent}` + (SCHEMA[parent].children.length ? ` (expected one of ${SCHEMA[parent].children.join(', ')})` : ' (it takes no children)'));
  } else if (!parent && kind !== 'window' && kind !== 'popup') {
    return fail(head.pos, `a description's root must be window or popup, not ${kind}`);
  }
  // Null prototypes: names from a description or a client (`constructor`, `__proto__`) are data.
  const t: Template = { kind, attrs: Object.create(null), on: Object.create(null), children: [], pos: d.pos };
  const items = d.items;
  for (let i = 1; i < items.length; i++) {
    const it = items[i];
    if (it.type === 'list') {
      const first = it.items[0];
      if (first?.type === 'symbol' && first.value === 'on') { binding(it, kind, t, ctx); continue; }
      const child = widget(it, kind, ctx);
      if (child) t.children.push(child);
      continue;
    }
    if (it.type !== 'symbol') { fail(it.pos, `expected an attribute name or a child widget, found ${describe(it)}`); continue; }
    const type = Object.hasOwn(schema.attrs, it.value) ? schema.attrs[it.value] : undefined;
    if (!type) { fail(it.pos, `unknown attribute ${it.value} for ${kind} (expected one of ${Object.keys(schema.attrs).join(', ')})`); i++; continue; }
    const v = items[i + 1];
    i++;
    if (!v) { fail(it.pos, `attribute ${it.value} has no value`); continue; }
    if (Object.prototype.hasOwnProperty.call(t.attrs, it.value)) { fail(it.pos, `attribute ${it.value} is given twice`); continue; }
    const value = attrValue(v, type, it.value, ctx);
    if (value === undefined) continue;
    t.attrs[it.value] = value;
    if (it.value === 'name') {
      const name = value as string;
      const seen = ctx.names.get(name);
      if (seen) fail(v.pos, `duplicate widget name ${name} (first used at ${seen.line}:${seen.col})`);
      else ctx.names.set(name, v.pos);
      t.name = name;
    }
  }
  return t;
}

function attrValue(v: Datum, type: AttrType, attr: string, ctx: Ctx): DescriptionValue | undefined {
  const wrong = (expected: string) => { ctx.problems.push(new Problem(v.pos, `wrong type for ${attr}: expected ${expected}, found ${describe(v)}`)); return undefined; };
  switch (type) {
    case 'text':
      if (v.type === 'string') return v.value;
      if (v.type === 'list' && v.items.length === 2 && v.items[0].type === 'symbol' && v.items[0].value === '_' && v.items[1].type === 'string') {
        return new Translatable(v.items[1].value);
      }
      return wrong('a string or (_ "string")');
    case 'symbol':
      if (v.type === 'symbol' || v.type === 'string') return v.value;
      return wrong('a name');
    case 'boolean':
      if (v.type === 'boolean') return v.value;
      return wrong('#t or #f');
    case 'integer':
      if (v.type === 'number' && Number.isInteger(v.value)) return v.value;
      return wrong('a whole number');
  }
}

function binding(d: Datum & { type: 'list' }, kind: WidgetKind, t: Template, ctx: Ctx) {
  const [, ev, action, ...args] = d.items;
  const fail = (pos: Position, msg: string) => { ctx.problems.push(new Problem(pos, msg)); };
  if (!ev || ev.type !== 'symbol') return fail(ev?.pos ?? d.pos, 'expected (on EVENT ACTION ARG…): the event name is missing');
  if (!SCHEMA[kind].events.includes(ev.value)) {
    const known = SCHEMA[kind].events;
    return fail(ev.pos, `unknown event ${ev.value} for ${kind}` + (known.length ? ` (expected one of ${known.join(', ')})` : ` (${kind} raises no events)`));
  }
  if (!action || action.type !== 'symbol') return fail(action?.pos ?? d.pos, `expected an action name after (on ${ev.value}`);
  if (!ctx.actions.has(action.value)) return fail(action.pos, `unknown action ${action.value}`);
  if (Object.hasOwn(t.on, ev.value)) return fail(ev.pos, `event ${ev.value} is bound twice`);
  const values: Value[] = [];
  for (const a of args) {
    if (a.type === 'list') return fail(a.pos, `an action argument must be a name, string, number or boolean, found ${describe(a)}`);
    values.push(a.value);
  }
  t.on[ev.value] = { action: action.value, args: values, pos: d.pos };
}
