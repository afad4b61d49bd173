// The widget tree a front-end keeps: what it has been told to show, in order. Every driver that
// keeps a tree (headless, terminal, browser, line) keeps this one and adds only what is its own:
// drawing, and reading input. The rules live here once: insertion before a sibling, recursive
// removal, `max-items` trimming, the editable state an event carries, and which widgets are usable.
import type { UserEvent, WidgetId, WidgetSpec } from './driver.ts';
import type { Parts } from './roles.ts';
import { SCHEMA, type WidgetKind } from './schema.ts';
import type { Attributes, Value } from './values.ts';

export interface TreeNode {
  readonly id: WidgetId;
  readonly kind: WidgetKind;
  /** The node's own copy: a driver may write the user's edits (text, selection) into it. */
  readonly attrs: Attributes;
  readonly events: readonly string[];
  /** A listbox's entry parts (core/roles.ts), if its description declares them. */
  readonly parts?: Parts;
  parent: TreeNode | null;
  readonly children: TreeNode[];
}

/** A driver-neutral picture of what is shown: kinds, attributes and children, no ids. */
export interface ShownWidget { kind: string; attrs: Attributes; children: ShownWidget[] }

/** What a change took off the tree, so that a driver can undraw it: removed subtrees' roots. */
export type Removed = TreeNode[];

export class TreeError extends Error {}

export class WidgetTree {
  /** The window first, then popups bottom to top. */
  readonly roots: TreeNode[] = [];
  private readonly nodes = new Map<WidgetId, TreeNode>();

  get size(): number { return this.nodes.size; }

  get(id: WidgetId): TreeNode | undefined { return this.nodes.get(id); }

  /** Adds a widget; returns the entries its parent list dropped past `max-items`. */
  create(spec: WidgetSpec): { node: TreeNode; trimmed: Removed } {
    if (this.nodes.has(spec.id)) throw new TreeError(`duplicate widget id ${spec.id}`);
    const parent = spec.parent === null ? null : this.nodes.get(spec.parent);
    if (parent === undefined) throw new TreeError(`new ${spec.id}: no parent ${spec.parent}`);
    const node: TreeNode = { id: spec.id, kind: spec.kind, attrs: { ...spec.attrs }, events: spec.events, parts: spec.parts, parent, children: [] };
    const siblings = parent ? parent.children : this.roots;
    const at = spec.before === undefined ? siblings.length : siblings.findIndex(s => s.id === spec.before);
    if (at < 0) throw new TreeError(`new ${spec.id}: no sibling ${spec.before}`);
    siblings.splice(at, 0, node);
    this.index(node);
    return { node, trimmed: parent ? this.trim(parent) : [] };
  }

  /** Sets one attribute; returns the entries dropped when it lowered `max-items`. */
  set(id: WidgetId, attr: string, value: Value): { node: TreeNode; trimmed: Removed } {
    const node = this.need(id, 'set on');
    node.attrs[attr] = value;
    return { node, trimmed: attr === 'max-items' ? this.trim(node) : [] };
  }

  /** Removes a widget and everything in it; returns the removed node. */
  remove(id: WidgetId): TreeNode {
    const node = this.need(id, 'delete of');
    const siblings = node.parent ? node.parent.children : this.roots;
    siblings.splice(siblings.indexOf(node), 1);
    this.forget(node);
    if (node.kind === 'item' && node.parent && node.parent.attrs.selected === node.attrs.value) node.parent.attrs.selected = null;
    return node;
  }

  clear(): void {
    this.roots.length = 0;
    this.nodes.clear();
  }

  /** The top popup, if one is open. */
  get popup(): TreeNode | undefined {
    const top = this.roots[this.roots.length - 1];
    return top?.kind === 'popup' ? top : undefined;
  }

  /** The first widget, top popup first, for which `pred` holds (pre-order within a root). */
  find(pred: (n: TreeNode) => boolean): TreeNode | undefined {
    for (let i = this.roots.length - 1; i >= 0; i--) {
      const hit = search(this.roots[i], pred);
      if (hit) return hit;
    }
    return undefined;
  }

  /** The widget named `name` (`name` attribute), top popup first. */
  named(name: string): TreeNode | undefined { return this.find(n => n.attrs.name === name); }

  /** The widget with role `role`, top popup first. */
  withRole(role: string): TreeNode | undefined { return this.find(n => n.attrs.role === role); }

  /** Shown: neither it nor anything around it is hidden. */
  visible(n: TreeNode): boolean {
    for (let x: TreeNode | null = n; x; x = x.parent) if (x.attrs.visible === false) return false;
    return true;
  }

  /**
   * The user can act on it: shown, enabled all the way up, and in the top root (a popup is
   * modal). The session refuses an event on anything else, so a driver should not send one.
   */
  usable(n: TreeNode): boolean {
    for (let x: TreeNode | null = n; x; x = x.parent) {
      if (x.attrs.visible === false || x.attrs.enabled === false) return false;
      if (!x.parent && x !== this.roots[this.roots.length - 1]) return false;
    }
    return true;
  }

  /** The editable value of every widget that has one: what an event carries as its state. */
  state(): Record<WidgetId, Value> {
    const out: Record<WidgetId, Value> = {};
    for (const n of this.nodes.values()) {
      const attr = SCHEMA[n.kind].editable;
      if (attr && n.attrs[attr] !== undefined) out[n.id] = n.attrs[attr];
    }
    return out;
  }

  /**
   * The event a front-end sends when the user acts on `n`, or an error saying why it cannot:
   * only events the description binds, only on usable widgets, with the editable state.
   */
  event(n: TreeNode, name: string): UserEvent {
    if (!n.events.includes(name)) throw new TreeError(`${n.kind} ${String(n.attrs.name ?? n.id)} does not report ${name}`);
    return { id: n.id, name, state: this.state() };
  }

  /** The whole tree, ids left out, for comparing two front-ends. */
  picture(): ShownWidget[] {
    const pic = (n: TreeNode): ShownWidget => ({ kind: n.kind, attrs: { ...n.attrs }, children: n.children.map(pic) });
    return this.roots.map(pic);
  }

  private need(id: WidgetId, what: string): TreeNode {
    const n = this.nodes.get(id);
    if (!n) throw new TreeError(`${what} unknown widget ${id}`);
    return n;
  }

  private index(n: TreeNode) {
    this.nodes.set(n.id, n);
    for (const c of n.children) this.index(c);
  }

  private forget(n: TreeNode) {
    this.nodes.delete(n.id);
    for (const c of n.children) this.forget(c);
  }

  /** Past a list's max-items its first entries go, without a delete from the server. */
  private trim(list: TreeNode): Removed {
    const max = list.attrs['max-items'];
    if (typeof max !== 'number' || list.children.length <= max) return [];
    const gone = list.children.splice(0, list.children.length - max);
    for (const n of gone) this.forget(n);
    return gone;
  }
}

function search(n: TreeNode, pred: (n: TreeNode) => boolean): TreeNode | undefined {
  if (pred(n)) return n;
  for (const c of n.children) {
    const hit = search(c, pred);
    if (hit) return hit;
  }
  return undefined;
}
