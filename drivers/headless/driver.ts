// The reference driver: keeps the widget tree it is told about, records every command, and
// lets tests act as a user would (type, click, select, activate, cancel a popup).
import type { Command } from '../../core/commands.ts';
import type { Driver, EventSink, UserEvent, WidgetId, WidgetSpec } from '../../core/driver.ts';
import { SCHEMA } from '../../core/schema.ts';
import type { Attributes, Value } from '../../core/values.ts';

export interface HeadlessNode {
  id: WidgetId;
  kind: WidgetSpec['kind'];
  attrs: Attributes;
  events: readonly string[];
  parent: WidgetId | null;
  children: WidgetId[];
}

/** A driver-neutral picture of what is shown: kinds, attributes and children, no ids. */
export interface ShownWidget { kind: string; attrs: Attributes; children: ShownWidget[] }

export class HeadlessDriver implements Driver {
  readonly log: Command[] = [];
  readonly errors: { code: string; message: string }[] = [];
  forbiddenCount = 0;
  readonly nodes = new Map<WidgetId, HeadlessNode>();
  /** Roots in order: the window first, then popups bottom to top. */
  roots: WidgetId[] = [];
  private sink: EventSink | null = null;
  stopped = false;

  constructor(private readonly langs: readonly string[] = ['en']) {}

  languages() { return this.langs; }

  async start(events: EventSink) { this.sink = events; }
  async stop() { this.stopped = true; }

  create(w: WidgetSpec) {
    this.log.push({ op: 'new', ...w });
    if (this.nodes.has(w.id)) throw new Error(`duplicate widget id ${w.id}`);
    const node: HeadlessNode = { id: w.id, kind: w.kind, attrs: { ...w.attrs }, events: w.events, parent: w.parent, children: [] };
    this.nodes.set(w.id, node);
    if (w.parent === null) { this.roots.push(w.id); return; }
    const parent = this.nodes.get(w.parent);
    if (!parent) throw new Error(`new ${w.id}: no parent ${w.parent}`);
    const at = w.before ? parent.children.indexOf(w.before) : -1;
    if (w.before && at < 0) throw new Error(`new ${w.id}: no sibling ${w.before}`);
    if (at >= 0) parent.children.splice(at, 0, w.id);
    else parent.children.push(w.id);
    this.enforceMax(parent);
  }

  /** Past a list's max-items its first entries go, without a delete from the server. */
  private enforceMax(list: HeadlessNode) {
    const max = list.attrs['max-items'];
    if (typeof max !== 'number') return;
    for (const id of list.children.splice(0, Math.max(0, list.children.length - max))) this.nodes.delete(id);
  }

  set(id: WidgetId, attr: string, value: Value) {
    this.log.push({ op: 'set', id, attr, value });
    const n = this.nodes.get(id);
    if (!n) throw new Error(`set on unknown widget ${id}`);
    n.attrs[attr] = value;
    if (attr === 'max-items') this.enforceMax(n);
  }

  remove(id: WidgetId) {
    this.log.push({ op: 'delete', id });
    const n = this.nodes.get(id);
    if (!n) throw new Error(`delete of unknown widget ${id}`);
    const forget = (x: HeadlessNode) => { this.nodes.delete(x.id); x.children.forEach(c => forget(this.nodes.get(c)!)); };
    forget(n);
    if (n.parent) {
      const p = this.nodes.get(n.parent)!;
      p.children.splice(p.children.indexOf(id), 1);
    } else {
      this.roots.splice(this.roots.indexOf(id), 1);
    }
  }

  clear() {
    this.log.push({ op: 'clear' });
    this.nodes.clear();
    this.roots = [];
  }

  forbidden(reason?: string) {
    this.log.push({ op: 'forbidden', reason });
    this.forbiddenCount++;
  }

  error(code: string, message: string) {
    this.log.push({ op: 'error', code, message });
    this.errors.push({ code, message });
  }

  // ---- what a user sees ----

  /** The widget named `name`, looked up in the top popup first, as a user would see it. */
  find(name: string): HeadlessNode {
    const n = this.lookup(name);
    if (!n) throw new Error(`nothing named ${name} is shown`);
    return n;
  }

  has(name: string): boolean { return this.lookup(name) !== undefined; }

  private lookup(name: string): HeadlessNode | undefined {
    for (let i = this.roots.length - 1; i >= 0; i--) {
      const hit = this.search(this.nodes.get(this.roots[i])!, n => n.attrs.name === name);
      if (hit) return hit;
    }
    return undefined;
  }

  private search(n: HeadlessNode, pred: (n: HeadlessNode) => boolean): HeadlessNode | undefined {
    if (pred(n)) return n;
    for (const c of n.children) {
      const hit = this.search(this.nodes.get(c)!, pred);
      if (hit) return hit;
    }
    return undefined;
  }

  text(name: string): Value | undefined { return this.find(name).attrs.text; }

  /** The items of a listbox, in order, with their attributes. */
  items(listbox: string): Attributes[] {
    return this.find(listbox).children.map(c => this.nodes.get(c)!.attrs);
  }

  /** The kind of the top root: 'popup' while a popup is open. */
  get popup(): HeadlessNode | undefined {
    const top = this.nodes.get(this.roots[this.roots.length - 1] ?? '');
    return top?.kind === 'popup' ? top : undefined;
  }

  /** The whole front-end, ids left out, for comparing two drivers. */
  shown(): ShownWidget[] {
    const pic = (id: WidgetId): ShownWidget => {
      const n = this.nodes.get(id)!;
      return { kind: n.kind, attrs: { ...n.attrs }, children: n.children.map(pic) };
    };
    return this.roots.map(pic);
  }

  // ---- acting as the user ----

  type(name: string, text: string) {
    const n = this.find(name);
    n.attrs.text = text;
    this.need().input(n.id, text);
  }

  click(name: string) { this.fire(this.find(name).id, 'click'); }
  submit(name: string) { this.fire(this.find(name).id, 'submit'); }

  select(listbox: string, value: string) { this.pick(listbox, value, 'select'); }
  activate(listbox: string, value: string) { this.pick(listbox, value, 'activate'); }

  /** Esc on the top popup. */
  cancel() {
    const p = this.popup;
    if (!p) throw new Error('no popup is open');
    this.fire(p.id, 'cancel');
  }

  private pick(listbox: string, value: string, event: string) {
    const n = this.find(listbox);
    if (!n.children.some(c => this.nodes.get(c)!.attrs.value === value)) throw new Error(`${listbox} has no item ${value}`);
    n.attrs.selected = value;
    this.fire(n.id, event);
  }

  /** Sends an event the way a front-end does: only if bound, with every editable widget's state. */
  fire(id: WidgetId, event: string) {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no widget ${id}`);
    if (!n.events.includes(event)) throw new Error(`${n.kind} ${String(n.attrs.name ?? id)} does not report ${event}`);
    const state: Record<WidgetId, Value> = {};
    for (const x of this.nodes.values()) {
      const attr = SCHEMA[x.kind].editable;
      if (attr && x.attrs[attr] !== undefined) state[x.id] = x.attrs[attr];
    }
    this.need().event({ id, name: event, state });
  }

  /** Sends an event exactly as given, unchecked, as a faulty or hostile front-end might. */
  sendRaw(e: UserEvent) { this.need().event(e); }

  private need(): EventSink {
    if (!this.sink) throw new Error('driver not started');
    return this.sink;
  }
}
