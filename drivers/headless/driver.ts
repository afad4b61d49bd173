// The reference driver: keeps the widget tree it is told about, records every command, and
// lets tests act as a user would (type, click, select, activate, cancel a popup).
import type { Command } from '../../core/commands.ts';
import { CAPABILITIES, type Capability, type Driver, type EventSink, type UserEvent, type WidgetId, type WidgetSpec } from '../../core/driver.ts';
import type { ErrorCode } from '../../core/errors.ts';
import { entryView } from '../../core/roles.ts';
import type { Attributes, Value } from '../../core/values.ts';
import { WidgetTree, type ShownWidget, type TreeNode } from '../../core/widget-tree.ts';

export type { ShownWidget };

export class HeadlessDriver implements Driver {
  readonly log: Command[] = [];
  readonly errors: { code: string; message: string }[] = [];
  forbiddenCount = 0;
  /** `forbidden` came for the screen shown now: nobody is signed in. */
  signInAsked = false;
  readonly tree = new WidgetTree();
  private sink: EventSink | null = null;
  stopped = false;

  constructor(private readonly langs: readonly string[] = ['en'], private readonly caps: readonly Capability[] = CAPABILITIES) {}

  languages() { return this.langs; }
  capabilities() { return this.caps; }

  async start(events: EventSink) { this.sink = events; }
  async stop() { this.stopped = true; }

  create(w: WidgetSpec) {
    this.log.push({ op: 'new', ...w });
    this.tree.create(w);
  }

  set(id: WidgetId, attr: string, value: Value) {
    this.log.push({ op: 'set', id, attr, value });
    this.tree.set(id, attr, value);
  }

  remove(id: WidgetId) {
    this.log.push({ op: 'delete', id });
    this.tree.remove(id);
  }

  clear() {
    this.log.push({ op: 'clear' });
    this.tree.clear();
    this.signInAsked = false;
  }

  forbidden(reason?: string) {
    this.log.push({ op: 'forbidden', reason });
    this.forbiddenCount++;
    this.signInAsked = true;
  }

  error(code: ErrorCode, message: string) {
    this.log.push({ op: 'error', code, message });
    this.errors.push({ code, message });
  }

  // ---- what a user sees ----

  /** The widget named `name`, looked up in the top popup first, as a user would see it. */
  find(name: string): TreeNode {
    const n = this.tree.named(name);
    if (!n) throw new Error(`nothing named ${name} is shown`);
    return n;
  }

  has(name: string): boolean { return this.tree.named(name) !== undefined; }

  text(name: string): Value | undefined { return this.find(name).attrs.text; }

  /** The items of a listbox, in order, with their attributes. */
  items(listbox: string): Attributes[] {
    return this.find(listbox).children.map(c => c.attrs);
  }

  /** The top popup, while one is open. */
  get popup(): TreeNode | undefined { return this.tree.popup; }

  /** The whole front-end, ids left out, for comparing two drivers. */
  shown(): ShownWidget[] { return this.tree.picture(); }

  /** Every text a person could read: visible widgets' texts and titles, entries with their parts, refusals. */
  readable(): string {
    const out: string[] = [];
    const walk = (n: TreeNode) => {
      if (n.attrs.visible === false) return;
      if (n.kind === 'item') {
        const e = entryView(n.attrs, n.parent?.parts);
        out.push([e.timestamp, e.byline, e.text].filter(Boolean).join(' '));
      } else {
        for (const a of ['title', 'text', 'placeholder']) if (typeof n.attrs[a] === 'string' && n.attrs[a]) out.push(n.attrs[a] as string);
      }
      n.children.forEach(walk);
    };
    this.tree.roots.forEach(walk);
    return [...out, ...this.errors.map(e => e.message)].join('\n');
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

  /** Signs in by name, as a front-end that asks for one itself does. */
  authenticate(user: string, password?: string) { this.need().authenticate(user, password); }

  private pick(listbox: string, value: string, event: string) {
    const n = this.find(listbox);
    if (!n.children.some(c => c.attrs.value === value)) throw new Error(`${listbox} has no item ${value}`);
    n.attrs.selected = value;
    this.fire(n.id, event);
  }

  /** Sends an event the way a front-end does: only if bound, with every editable widget's state. */
  fire(id: WidgetId, event: string) {
    const n = this.tree.get(id);
    if (!n) throw new Error(`no widget ${id}`);
    this.need().event(this.tree.event(n, event));
  }

  /** Sends an event exactly as given, unchecked, as a faulty or hostile front-end might. */
  sendRaw(e: UserEvent) { this.need().event(e); }

  private need(): EventSink {
    if (!this.sink) throw new Error('driver not started');
    return this.sink;
  }
}
