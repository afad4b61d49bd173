// Turns read s-expressions into validated widget templates. Every problem is reported with
// file:line:col, and all problems of a file are collected rather than stopping at the first.
import { readAll, ReadError, describe, type Datum, type Position } from './sexpr.ts';
import { isPartRole, isWidgetRole, MAX_PARTS, PART_ROLES, WIDGET_ROLES, type PartRole, type Parts } from './roles.ts';
import { SCHEMA, isKind, KINDS, type WidgetKind, type AttrType } from './schema.ts';
import { Translatable, type DescriptionValue, type Value } from './values.ts';

export interface Binding { action: string; args: Value[]; pos: Position }

export interface Template {
  kind: WidgetKind;
  name?: string;
  attrs: Record<string, DescriptionValue>;
  on: Record<string, Binding>;
  children: Template[];
  /** A listbox's entry parts, from its `(part NAME ROLE)` forms. */
  parts?: Parts;
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

/** The attributes a widget of `kind` takes: an entry also takes its list's parts, typed by role. */
function attrTypes(kind: WidgetKind, parts: Parts | undefined): Record<string, AttrType> {
  if (kind !== 'item' || !parts) return SCHEMA[kind].attrs;
  const types: Record<string, AttrType> = { ...SCHEMA.item.attrs };
  for (const [name, role] of Object.entries(parts)) types[name] = PART_ROLES[role];
  return types;
}

/** A listbox's `(part NAME ROLE)` forms, checked; entries may come before them in the source. */
function partsOf(d: Datum & { type: 'list' }, ctx: Ctx): Parts | undefined {
  const parts: Record<string, PartRole> = Object.create(null);
  let any = false;
  for (const it of d.items) {
    if (it.type !== 'list' || it.items[0]?.type !== 'symbol' || it.items[0].value !== 'part') continue;
    const [, name, role, extra] = it.items;
    const fail = (pos: Position, msg: string) => ctx.problems.push(new Problem(pos, msg));
    if (name?.type !== 'symbol') { fail(name?.pos ?? it.pos, 'expected (part NAME ROLE): the part name is missing'); continue; }
    if (role?.type !== 'symbol' || !isPartRole(role.value)) { fail(role?.pos ?? it.pos, `expected a part role after (part ${name.value} (one of ${Object.keys(PART_ROLES).join(', ')})`); continue; }
    if (extra) { fail(extra.pos, `(part ${name.value} ${role.value}) takes nothing more`); continue; }
    if (Object.hasOwn(SCHEMA.item.attrs, name.value)) { fail(name.pos, `part ${name.value} would hide the entry attribute of that name`); continue; }
    if (Object.hasOwn(parts, name.value)) { fail(name.pos, `part ${name.value} is declared twice`); continue; }
    if (Object.keys(parts).length >= MAX_PARTS) { fail(name.pos, `a list has at most ${MAX_PARTS} parts`); continue; }
    parts[name.value] = role.value;
    any = true;
  }
  return any ? Object.freeze(parts) : undefined;
}

function widget(d: Datum, parent: WidgetKind | null, ctx: Ctx, parentParts?: Parts): Template | null {
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
  if (kind === 'listbox') t.parts = partsOf(d, ctx);
  const types = attrTypes(kind, parentParts);
  const items = d.items;
  for (let i = 1; i < items.length; i++) {
    const it = items[i];
    if (it.type === 'list') {
      const first = it.items[0];
      if (first?.type === 'symbol' && first.value === 'on') { binding(it, kind, t, ctx); continue; }
      if (first?.type === 'symbol' && first.value === 'part') {
        if (kind !== 'listbox') fail(first.pos, `(part …) belongs in a listbox, not in ${kind}`);
        continue;
      }
      const child = widget(it, kind, ctx, t.parts);
      if (child) t.children.push(child);
      continue;
    }
    if (it.type !== 'symbol') { fail(it.pos, `expected an attribute name or a child widget, found ${describe(it)}`); continue; }
    const type = Object.hasOwn(types, it.value) ? types[it.value] : undefined;
    if (!type) { fail(it.pos, `unknown attribute ${it.value} for ${kind} (expected one of ${Object.keys(types).join(', ')})`); i++; continue; }
    const v = items[i + 1];
    i++;
    if (!v) { fail(it.pos, `attribute ${it.value} has no value`); continue; }
    if (Object.prototype.hasOwnProperty.call(t.attrs, it.value)) { fail(it.pos, `attribute ${it.value} is given twice`); continue; }
    const value = attrValue(v, type, it.value, ctx);
    if (value === undefined) continue;
    if (it.value === 'role' && !isWidgetRole(value)) { fail(v.pos, `unknown role ${String(value)} (expected one of ${Object.keys(WIDGET_ROLES).join(', ')})`); continue; }
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
