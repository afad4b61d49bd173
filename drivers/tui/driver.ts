// The terminal front-end: a Driver on blessed. It keeps the widget tree, lays it out on the
// character grid (re-flowing on resize), draws each leaf into a blessed box, and repaints at
// most 30 times a second however many commands arrive. Every string from the server is
// cleaned of control characters and escape sequences, and blessed tags are escaped.
import blessed from 'blessed';
import type { Capability, Driver, EventSink, WidgetId, WidgetSpec } from '../../core/driver.ts';
import type { Attributes, Value } from '../../core/values.ts';
import { entryView, type Parts } from '../../core/roles.ts';
import { editKey, editorLine } from './editor.ts';
import { entryLines, scrollFor, styledLines, type EntryLines } from './list.ts';
import { layout, naturalHeight, type LayoutNode, type Rect } from './layout.ts';
import { clean, safe, width, wrap } from './text.ts';
import { countNear, numberFormat } from '../../core/length-count.ts';

interface Node extends LayoutNode {
  events: readonly string[];
  parts?: Parts;
  parent: Node | null;
  children: Node[];
  box?: blessed.Widgets.BoxElement;
  /** textbox: cursor position (in UTF-16 units); the user typed since their last event. */
  cursor?: number;
  typed?: boolean;
  /** listbox: the first line shown, and whether it keeps to the newest entry. */
  scroll?: number;
  follow?: boolean;
  rect?: Rect;
  /** item: its lines at a width, until its attributes change. */
  wrapped?: EntryLines & { cols: number };
}


/** The widget-neutral picture of what is shown, as HeadlessDriver.shown() gives it. */
export interface ShownNode { kind: string; attrs: Attributes; children: ShownNode[] }

export interface TuiOptions {
  screen: blessed.Widgets.Screen;
  languages: readonly string[];
  /** Ctrl+C: the window's close event (if bound) has been sent; the caller exits. */
  onQuit?(): void;
}

const FRAME_MS = 33;
const INPUT_DEBOUNCE_MS = 250;
const STATUS_MS = 5000;
const FOCUSABLE = new Set(['button', 'textbox', 'listbox']);

export class BlessedDriver implements Driver {
  readonly screen: blessed.Widgets.Screen;
  private readonly nodes = new Map<WidgetId, Node>();
  private roots: Node[] = [];
  private focused: Node | null = null;
  /** Where focus was in each root, to return to when a popup closes. */
  private readonly lastFocus = new Map<Node, Node>();
  private sink: EventSink | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastPaint = 0;
  private readonly pendingInput = new Map<WidgetId, ReturnType<typeof setTimeout>>();
  private readonly statusBox: blessed.Widgets.BoxElement;
  private connection = '';
  private signInAsked = false;
  private message = '';
  private messageTimer: ReturnType<typeof setTimeout> | null = null;
  /** How many times the screen was drawn (bursts of commands make one). */
  paints = 0;
  private readonly numbers: Intl.NumberFormat;

  constructor(private readonly opts: TuiOptions) {
    this.screen = opts.screen;
    this.numbers = numberFormat(opts.languages);
    this.statusBox = blessed.box({ parent: this.screen, bottom: 0, left: 0, height: 1, width: '100%', tags: true, style: { fg: 'black', bg: 'white' } });
    this.screen.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => this.onKey(ch, key));
    this.screen.on('resize', () => this.schedule());
  }

  languages() { return this.opts.languages; }
  capabilities(): readonly Capability[] { return ['popups', 'lists', 'multiline', 'colour']; }
  async start(events: EventSink) { this.sink = events; this.schedule(); }
  async stop() {
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.pendingInput.values()) clearTimeout(t);
    this.timer = null;
  }

  /** Shows the connection state on the left of the status line. */
  setConnection(text: string) { this.connection = text; this.schedule(); }

  // ---- Driver ----

  create(w: WidgetSpec) {
    const parent = w.parent === null ? null : this.nodes.get(w.parent) ?? null;
    if (w.parent !== null && !parent) return;
    const node: Node = { id: w.id, kind: w.kind, attrs: { ...w.attrs }, events: w.events, parts: w.parts, parent, children: [] };
    if (w.kind === 'textbox') node.cursor = String(w.attrs.text ?? '').length;
    if (w.kind === 'listbox') { node.scroll = 0; node.follow = true; }
    this.nodes.set(w.id, node);
    if (!parent) this.roots.push(node);
    else {
      const before = w.before ? this.nodes.get(w.before) : undefined;
      const at = before ? parent.children.indexOf(before) : -1;
      if (at >= 0) parent.children.splice(at, 0, node);
      else parent.children.push(node);
      this.enforceMax(parent);
    }
    if (FOCUSABLE.has(node.kind) || node.kind === 'popup') this.autofocus(node);
    this.schedule();
  }

  set(id: WidgetId, attr: string, value: Value) {
    const n = this.nodes.get(id);
    if (!n) return;
    if (n.kind === 'textbox' && attr === 'text') {
      // The user typed after the server decided this: keep their text, and tell the server.
      if (n.typed) { this.sendInput(n); return; }
      n.cursor = String(value ?? '').length;
    }
    n.attrs[attr] = value;
    n.wrapped = undefined;
    if (attr === 'max-items') this.enforceMax(n);
    this.schedule();
  }

  /** Past a list's max-items its first entries go, without a delete from the server. */
  private enforceMax(list: Node) {
    const max = list.attrs['max-items'];
    if (typeof max !== 'number') return;
    for (const item of list.children.splice(0, Math.max(0, list.children.length - max))) this.nodes.delete(item.id);
  }

  remove(id: WidgetId) {
    const n = this.nodes.get(id);
    if (!n) return;
    const forget = (x: Node) => {
      this.nodes.delete(x.id);
      x.box?.destroy();
      const t = this.pendingInput.get(x.id);
      if (t) { clearTimeout(t); this.pendingInput.delete(x.id); }
      if (this.focused === x) this.focused = null;
      x.children.forEach(forget);
    };
    forget(n);
    if (n.parent) n.parent.children.splice(n.parent.children.indexOf(n), 1);
    else {
      this.roots = this.roots.filter(r => r !== n);
      this.lastFocus.delete(n);
    }
    if (!this.focused) this.refocus();
    this.schedule();
  }

  clear() {
    for (const n of this.nodes.values()) n.box?.destroy();
    for (const t of this.pendingInput.values()) clearTimeout(t);
    this.pendingInput.clear();
    this.nodes.clear();
    this.roots = [];
    this.lastFocus.clear();
    this.focused = null;
    this.signInAsked = false;
    this.schedule();
  }

  /** Nobody is signed in: the status line says so until the next screen. */
  forbidden() { this.signInAsked = true; this.schedule(); }

  error(_code: string, message: string) { this.flash(clean(message)); }

  // ---- reading back (tests, tools) ----

  /** The tree as the driver holds it, without ids. */
  model(): ShownNode[] {
    const pic = (n: Node): ShownNode => ({ kind: n.kind, attrs: { ...n.attrs }, children: n.children.map(pic) });
    return this.roots.map(pic);
  }

  /** Moves focus to the named widget of the top root (as Tab would, in fewer keys). */
  focusByName(name: string): boolean {
    const n = this.focusables().find(x => x.attrs.name === name);
    if (!n) return false;
    this.setFocus(n);
    return true;
  }

  /** Selects the item with `value` in the named list (as the arrow keys would). */
  selectByValue(listbox: string, value: string): boolean {
    const list = this.focusables().find(x => x.attrs.name === listbox && x.kind === 'listbox');
    if (!list || !list.children.some(c => c.attrs.value === value)) return false;
    this.setFocus(list);
    list.attrs.selected = value;
    this.schedule();
    return true;
  }

  /** Draws now, skipping the frame timer. */
  flush() {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.paint();
  }

  // ---- painting ----

  private schedule() {
    if (this.timer) return;
    const wait = Math.max(0, this.lastPaint + FRAME_MS - Date.now());
    this.timer = setTimeout(() => { this.timer = null; this.paint(); }, wait);
  }

  private paint() {
    this.lastPaint = Date.now();
    this.paints++;
    const cols = this.screen.width as number;
    const rows = Math.max(1, (this.screen.height as number) - 1);
    const rects = new Map<string, Rect>();
    for (const root of this.roots) {
      if (root.kind === 'window') layout(root, { top: 0, left: 0, width: cols, height: rows }, rects);
      else {
        const w = Math.min(64, Math.max(20, cols - 4));
        const inner = root.children.reduce((s, c) => s + naturalHeight(c, w - 4), 0);
        const h = Math.min(rows, inner + 2);
        const r = { top: Math.max(0, Math.floor((rows - h) / 2)), left: Math.max(0, Math.floor((cols - w) / 2)), width: w, height: h };
        rects.set(root.id, r);
        // The popup's body is laid out as a column inside its border.
        layout({ ...root, id: `${root.id}/body`, kind: 'vbox' }, { top: r.top + 1, left: r.left + 2, width: w - 4, height: h - 2 }, rects);
      }
    }
    const draw = (n: Node) => {
      const r = rects.get(n.id);
      n.rect = r;
      const visible = r !== undefined && r.width > 0 && r.height > 0 && n.attrs.visible !== false;
      if (n.kind === 'popup' || !n.children.length || n.kind === 'listbox') this.drawLeaf(n, visible ? r : undefined);
      if (n.kind !== 'listbox') n.children.forEach(draw);
    };
    this.roots.forEach(draw);
    // Popups above the window, and the newest popup above the others.
    for (const root of this.roots.slice(1)) {
      const front = (n: Node) => { n.box?.setFront(); if (n.kind !== 'listbox') n.children.forEach(front); };
      front(root);
    }
    this.drawStatus(cols);
    this.screen.render();
  }

  private drawLeaf(n: Node, r: Rect | undefined) {
    const kind = n.kind;
    if (kind === 'window' || kind === 'vbox' || kind === 'hbox' || kind === 'item') return;
    if (!r) { n.box?.hide(); return; }
    const box = n.box ?? this.makeBox(n);
    box.top = r.top;
    box.left = r.left;
    box.width = r.width;
    box.height = r.height;
    box.show();
    const focused = this.focused === n;
    const disabled = n.attrs.enabled === false;
    const style = box.style as { fg?: string; bold?: boolean; inverse?: boolean; border?: { fg?: string } };
    switch (kind) {
      case 'popup':
        box.setLabel(` ${clean(n.attrs.title)} `);
        box.setContent('');
        return;
      case 'label': {
        const role = n.attrs.role;
        style.fg = role === 'error' ? 'red' : role === 'status' ? 'gray' : undefined;
        style.bold = role === 'heading';
        box.setContent(wrap(clean(n.attrs.text), r.width).map(l => blessed.escape(l)).join('\n'));
        return;
      }
      case 'button':
        style.inverse = focused;
        style.fg = disabled ? 'gray' : undefined;
        box.setContent(`[ ${safe(n.attrs.text)} ]`);
        return;
      case 'textbox':
        style.border = { fg: focused ? 'cyan' : 'gray' };
        box.setContent(this.textboxContent(n, r.width - 2, focused));
        return;
      case 'listbox':
        style.border = { fg: focused ? 'cyan' : 'gray' };
        box.setContent(this.listContent(n, r.width - 2, r.height - 2, focused));
        return;
    }
  }

  private makeBox(n: Node): blessed.Widgets.BoxElement {
    const bordered = n.kind === 'textbox' || n.kind === 'listbox' || n.kind === 'popup';
    const box = blessed.box({
      parent: this.screen,
      tags: true,
      clickable: n.kind !== 'label',
      border: bordered ? { type: 'line' } : undefined,
      style: { border: { fg: 'gray' } },
      wrap: false,
    });
    box.on('click', (data: { x: number; y: number }) => this.onClick(n, data));
    if (n.kind === 'listbox') {
      box.on('wheelup', () => this.scrollBy(n, -3));
      box.on('wheeldown', () => this.scrollBy(n, 3));
    }
    n.box = box;
    return box;
  }

  private textboxContent(n: Node, cols: number, focused: boolean): string {
    const text = String(n.attrs.text ?? '');
    if (!text && !focused) return `{gray-fg}${safe(n.attrs.placeholder ?? '')}{/gray-fg}`;
    // Near its max-length a box shows its count on the right, red past it; the text has the rest.
    const count = countNear(text, n.attrs['max-length'], this.numbers);
    const secret = n.attrs.secret === true;
    if (!count || cols < width(count.text) + 8) return editorLine(text, n.cursor, cols, focused, secret).line;
    const room = cols - width(count.text) - 1;
    const { line, used } = editorLine(text, n.cursor, room, focused, secret);
    const shown = count.over ? `{red-fg}{bold}${count.text}{/bold}{/red-fg}` : `{gray-fg}${count.text}{/gray-fg}`;
    return `${line}${' '.repeat(room - used + 1)}${shown}`;
  }

  /** The lines of a list box, with the scroll kept on the selection or on the newest entry. */
  private listContent(n: Node, cols: number, rows: number, focused: boolean): string {
    const lines: string[] = [];
    let sel: [number, number] | null = null;
    for (const item of n.children) {
      if (item.attrs.visible === false) continue;
      const selected = item.attrs.value !== undefined && item.attrs.value === n.attrs.selected;
      const styled = styledLines(entryView(item.attrs, n.parts), itemLines(item, cols), selected ? (focused ? 'focused' : 'unfocused') : null);
      if (selected) sel = [lines.length, lines.length + styled.length];
      lines.push(...styled);
    }
    const { scroll, follow } = scrollFor(lines.length, rows, n.scroll ?? 0, n.follow === true, focused ? sel : null);
    n.scroll = scroll;
    n.follow = follow;      // at the bottom: keep following the newest
    return lines.slice(scroll, scroll + rows).join('\n');
  }

  private drawStatus(cols: number) {
    const hints = 'Tab: next  Enter: act  Esc: close  Ctrl+C: quit';
    const left = ` ${this.message || this.connection}${this.signInAsked ? '  (not signed in)' : ''}`;
    const room = Math.max(0, cols - width(left) - 1);
    const right = width(hints) <= room ? hints : '';
    this.statusBox.setContent(`${blessed.escape(left)}${' '.repeat(Math.max(0, cols - width(left) - width(right) - 1))}${right} `);
    this.statusBox.setFront();
  }

  private flash(message: string) {
    this.message = message;
    if (this.messageTimer) clearTimeout(this.messageTimer);
    this.messageTimer = setTimeout(() => { this.message = ''; this.schedule(); }, STATUS_MS);
    this.messageTimer.unref?.();
    this.schedule();
  }

  // ---- focus ----

  private topRoot(): Node | undefined { return this.roots[this.roots.length - 1]; }

  private focusables(): Node[] {
    const top = this.topRoot();
    const out: Node[] = [];
    const walk = (n: Node) => {
      if (n.attrs.visible === false) return;
      if (FOCUSABLE.has(n.kind) && n.attrs.enabled !== false) out.push(n);
      if (n.kind !== 'listbox') n.children.forEach(walk);
    };
    if (top) walk(top);
    return out;
  }

  private setFocus(n: Node | null) {
    this.focused = n;
    const top = this.topRoot();
    if (n && top) this.lastFocus.set(top, n);
    this.schedule();
  }

  private autofocus(created: Node) {
    const top = this.topRoot();
    if (!top) return;
    const root = rootOf(created);
    if (root !== top) return;
    if (this.focused && rootOf(this.focused) === top) return;
    if (created.kind === 'textbox' || (top.kind === 'popup' && created.kind === 'button')) this.setFocus(created);
  }

  private refocus() {
    const top = this.topRoot();
    if (!top) return;
    const remembered = this.lastFocus.get(top);
    if (remembered && this.nodes.has(remembered.id)) return this.setFocus(remembered);
    const f = this.focusables();
    this.setFocus(f.find(x => x.kind === 'textbox') ?? f[0] ?? null);
  }

  private moveFocus(step: number) {
    const f = this.focusables();
    if (!f.length) return;
    const at = this.focused ? f.indexOf(this.focused) : -1;
    this.setFocus(f[(at + step + f.length) % f.length]);
  }

  // ---- input ----

  /** An Esc seen in this turn of input, not acted on yet (it may be the start of Alt+Enter). */
  private escapeDue = false;
  private altEnterReturn = false;

  /** Acts on an Esc that turned out not to start Alt+Enter: it cancels the top popup. */
  private escape() {
    if (!this.escapeDue) return;
    this.escapeDue = false;
    const top = this.topRoot();
    if (top?.kind === 'popup') this.fire(top, 'cancel');
  }

  private onKey(ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) {
    if (!key) return;
    if (key.full === 'C-c') return this.quit();
    if (key.name === 'tab') return this.moveFocus(key.shift ? -1 : 1);
    // Alt+Enter arrives as ESC and CR in one read, which blessed reports as two keys in one turn.
    // Esc waits for the end of the turn: an Enter within it makes the pair one Alt+Enter.
    if (key.name === 'escape') {
      this.escapeDue = true;
      setImmediate(() => this.escape());
      return;
    }
    if (this.escapeDue && key.name === 'enter') {
      this.escapeDue = false;
      this.altEnterReturn = true;
      key = { ...key, full: 'M-enter', meta: true };
    } else if (this.altEnterReturn && key.name === 'return') {
      // blessed reports the CR of the pair a second time, as `return`.
      this.altEnterReturn = false;
      return;
    } else {
      this.escape();
    }
    const n = this.focused;
    // Nothing focused (a screen without a text box): the first key brings focus in.
    if (!n) return this.refocus();
    if (n.kind === 'button' && (key.name === 'enter' || key.name === 'space')) return this.fire(n, 'click');
    if (n.kind === 'textbox') return this.editKey(n, ch, key);
    if (n.kind === 'listbox') return this.listKey(n, key);
  }

  private editKey(n: Node, ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) {
    const before = String(n.attrs.text ?? '');
    const after = editKey({ text: before, cursor: Math.min(n.cursor ?? before.length, before.length) }, key.full, ch, key.ctrl || key.meta, n.attrs.multiline === true);
    if (after === 'submit') return this.fire(n, 'submit');
    if (!after) return;
    if (after.text !== before) {
      n.attrs.text = after.text;
      n.typed = true;
      this.scheduleInput(n);
    }
    n.cursor = after.cursor;
    this.schedule();
  }

  private listKey(n: Node, key: blessed.Widgets.Events.IKeyEventArg) {
    const items = n.children.filter(c => c.attrs.visible !== false);
    if (!items.length) return;
    const at = items.findIndex(c => c.attrs.value === n.attrs.selected);
    const page = Math.max(1, (n.rect?.height ?? 6) - 3);
    let next = at;
    switch (key.name) {
      case 'down': next = Math.min(items.length - 1, at + 1); break;
      case 'up': next = at < 0 ? items.length - 1 : Math.max(0, at - 1); break;
      case 'pagedown': next = Math.min(items.length - 1, Math.max(0, at) + page); break;
      case 'pageup': next = Math.max(0, (at < 0 ? items.length : at) - page); break;
      case 'home': next = 0; break;
      case 'end': next = items.length - 1; break;
      // Enter acts on the entry (activate), Space picks it (select), each falling back to the
      // other: a list that binds both is usable from the keyboard as with a mouse.
      case 'enter':
        if (at >= 0) this.fire(n, n.events.includes('activate') ? 'activate' : 'select');
        return;
      case 'space':
        if (at >= 0) this.fire(n, n.events.includes('select') ? 'select' : 'activate');
        return;
      default: return;
    }
    // Arrows move the highlight only; Enter (or a click) acts on it.
    n.attrs.selected = items[next].attrs.value ?? null;
    this.schedule();
  }

  private onClick(n: Node, data: { x: number; y: number }) {
    if (!this.nodes.has(n.id) || rootOf(n) !== this.topRoot()) return;
    if (n.kind === 'button') { this.setFocus(n); return this.fire(n, 'click'); }
    if (n.kind === 'textbox') return this.setFocus(n);
    if (n.kind !== 'listbox' || !n.box || !n.rect) return;
    this.setFocus(n);
    // Which item is under the pointer: the line, then the item that drew it.
    const item = this.itemAtLine(n, (n.scroll ?? 0) + data.y - (n.box.atop as number) - 1);
    if (!item) return;
    const again = n.attrs.selected === item.attrs.value;
    n.attrs.selected = item.attrs.value ?? null;
    this.schedule();
    if (again && n.events.includes('activate')) this.fire(n, 'activate');
    else if (n.events.includes('select')) this.fire(n, 'select');
  }

  private itemAtLine(n: Node, line: number): Node | undefined {
    const cols = (n.rect?.width ?? 2) - 2;
    for (const c of n.children) {
      if (c.attrs.visible === false) continue;
      const h = itemLines(c, cols).lines.length;
      if (line < h) return c;
      line -= h;
    }
    return undefined;
  }

  private scrollBy(n: Node, delta: number) {
    n.scroll = Math.max(0, (n.scroll ?? 0) + delta);
    n.follow = false;
    this.schedule();
  }

  private quit() {
    const window = this.roots.find(r => r.kind === 'window');
    if (window) this.fire(window, 'close');
    this.opts.onQuit?.();
  }

  private fire(n: Node, name: string) {
    if (!this.sink || !n.events.includes(name) || n.attrs.enabled === false) return;
    for (const id of [...this.pendingInput.keys()]) { const x = this.nodes.get(id); if (x) this.sendInput(x); }
    const state: Record<WidgetId, Value> = {};
    for (const x of this.nodes.values()) {
      if (x.kind === 'textbox') { state[x.id] = String(x.attrs.text ?? ''); x.typed = false; }
      else if (x.kind === 'listbox' && x.attrs.selected !== undefined) state[x.id] = x.attrs.selected;
    }
    this.sink.event({ id: n.id, name, state });
  }

  private scheduleInput(n: Node) {
    const t = this.pendingInput.get(n.id);
    if (t) clearTimeout(t);
    this.pendingInput.set(n.id, setTimeout(() => this.sendInput(n), INPUT_DEBOUNCE_MS));
  }

  private sendInput(n: Node) {
    const t = this.pendingInput.get(n.id);
    if (t) { clearTimeout(t); this.pendingInput.delete(n.id); }
    // Passwords go with the event that uses them; the server never holds one as a draft.
    if (n.attrs.secret === true) return;
    this.sink?.input(n.id, String(n.attrs.text ?? ''));
  }
}

/** An entry's plain lines at a width, kept until its attributes change. */
function itemLines(item: Node, cols: number): EntryLines {
  // Every paint draws every entry: wrapping 100 long ones each time would cost a frame.
  if (item.wrapped?.cols !== cols) item.wrapped = { cols, ...entryLines(entryView(item.attrs, item.parent?.parts), cols) };
  return item.wrapped;
}

function rootOf(n: Node): Node {
  while (n.parent) n = n.parent;
  return n;
}

