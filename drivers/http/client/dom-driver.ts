// The browser renderer: a Driver that builds native HTML controls with ARIA roles. Text from the
// server is only ever set with textContent or as a control's value, never parsed as HTML.
import { CAPABILITIES, type Capability, type Driver, type EventSink, type WidgetId, type WidgetSpec } from '../../../core/driver.ts';
import type { Attributes, Value } from '../../../core/values.ts';
import { countNear, numberFormat } from '../../../core/length-count.ts';
import { entryView, type Parts } from '../../../core/roles.ts';

interface Rendered {
  id: WidgetId;
  kind: WidgetSpec['kind'];
  attrs: Attributes;
  events: readonly string[];
  /** listbox: its entries' parts (core/roles.ts). */
  parts?: Parts;
  parent: Rendered | null;
  children: Rendered[];
  /** The element itself, and where its children go. */
  el: HTMLElement;
  box: HTMLElement;
  /** textbox: the user typed since the last event this driver sent. */
  typed?: boolean;
  /** textbox: its count, shown after it near its max-length. */
  counter?: HTMLElement;
}

const INPUT_DEBOUNCE_MS = 250;

export class DomDriver implements Driver {
  private readonly nodes = new Map<WidgetId, Rendered>();
  private roots: Rendered[] = [];
  private sink: EventSink | null = null;
  private readonly pendingInput = new Map<WidgetId, ReturnType<typeof setTimeout>>();
  private readonly numbers: Intl.NumberFormat;

  constructor(private readonly host: HTMLElement, private readonly notify: (message: string) => void) {
    this.numbers = numberFormat(this.languages());
  }

  languages(): readonly string[] { return navigator.languages?.length ? navigator.languages : [navigator.language]; }
  capabilities(): readonly Capability[] { return CAPABILITIES; }

  async start(events: EventSink) { this.sink = events; }
  async stop() { this.clear(); }

  create(w: WidgetSpec) {
    const parent = w.parent === null ? null : this.nodes.get(w.parent) ?? null;
    if (w.parent !== null && !parent) return;       // its parent is gone: nothing to show
    const r = this.build(w, parent);
    this.nodes.set(w.id, r);
    if (!parent) {
      this.roots.push(r);
      if (r.kind === 'popup') { document.body.append(r.el); (r.el as HTMLDialogElement).showModal(); }
      else this.host.append(r.el);
    } else {
      const before = w.before ? this.nodes.get(w.before) : undefined;
      const list = parent.box;
      const follow = parent.kind === 'listbox' && !before && isAtBottom(list);
      if (before) { parent.children.splice(parent.children.indexOf(before), 0, r); list.insertBefore(r.el, before.el); }
      else { parent.children.push(r); list.append(r.el); }
      this.enforceMax(parent);
      if (follow) list.scrollTop = list.scrollHeight;
    }
    for (const [attr, value] of Object.entries(w.attrs)) this.apply(r, attr, value);
    // A rebuilt listbox knows its selection before its items arrive.
    if (r.kind === 'item' && parent && parent.attrs.selected === r.attrs.value) this.showSelected(parent, parent.attrs.selected);
    this.autofocus(r);
  }

  set(id: WidgetId, attr: string, value: Value) {
    const r = this.nodes.get(id);
    if (!r) return;
    if (r.kind === 'textbox' && attr === 'text' && r.typed) {
      // The user typed after the server decided this: keep their text, and tell the server.
      this.sendInput(r);
      return;
    }
    r.attrs[attr] = value;
    this.apply(r, attr, value);
    if (attr === 'max-items') this.enforceMax(r);
  }

  /** Past a list's max-items its first entries go, without a delete from the server. */
  private enforceMax(list: Rendered) {
    const max = list.attrs['max-items'];
    if (typeof max !== 'number') return;
    for (const item of list.children.splice(0, Math.max(0, list.children.length - max))) { this.nodes.delete(item.id); item.el.remove(); }
  }

  remove(id: WidgetId) {
    const r = this.nodes.get(id);
    if (!r) return;
    const forget = (x: Rendered) => { this.nodes.delete(x.id); this.cancelInput(x.id); x.children.forEach(forget); };
    forget(r);
    if (r.parent) r.parent.children.splice(r.parent.children.indexOf(r), 1);
    else this.roots = this.roots.filter(x => x !== r);
    if (r.kind === 'popup') (r.el as HTMLDialogElement).close();
    r.el.remove();
    r.counter?.remove();
    if (r.kind === 'popup') this.autofocus(null);
  }

  clear() {
    delete document.body.dataset.signedIn;      // the next screen says again if nobody is
    for (const r of this.roots) { if (r.kind === 'popup') (r.el as HTMLDialogElement).close(); r.el.remove(); }
    for (const t of this.pendingInput.values()) clearTimeout(t);
    this.pendingInput.clear();
    this.roots = [];
    this.nodes.clear();
  }

  forbidden() { document.body.dataset.signedIn = 'no'; }

  error(_code: string, message: string) { this.notify(message); }

  /** Sends what is still waiting in the typing debounce now (before an event, or on unload). */
  flushInput() {
    for (const id of [...this.pendingInput.keys()]) {
      const r = this.nodes.get(id);
      if (r) this.sendInput(r);
    }
  }

  // ---- building ----

  private build(w: WidgetSpec, parent: Rendered | null): Rendered {
    let el: HTMLElement;
    let box: HTMLElement;
    switch (w.kind) {
      case 'window': {
        el = document.createElement('main');
        const body = document.createElement('div');
        body.className = 'body';
        el.append(body);
        box = body;
        break;
      }
      case 'popup': {
        const dialog = document.createElement('dialog');
        const title = document.createElement('h2');
        const body = document.createElement('div');
        body.className = 'body';
        dialog.append(title, body);
        dialog.addEventListener('cancel', e => { e.preventDefault(); this.fire(r, 'cancel'); });
        el = dialog;
        box = body;
        break;
      }
      case 'vbox': case 'hbox':
        el = box = document.createElement('div');
        break;
      case 'label':
        el = box = document.createElement('div');
        break;
      case 'button': {
        const b = document.createElement('button');
        b.type = 'button';
        b.addEventListener('click', () => this.fire(r, 'click'));
        el = box = b;
        break;
      }
      case 'textbox': {
        const multiline = w.attrs.multiline === true;
        const input = multiline ? document.createElement('textarea') : document.createElement('input');
        if (input instanceof HTMLTextAreaElement) input.rows = 2;
        else input.type = w.attrs.secret === true ? 'password' : 'text';
        input.autocomplete = w.attrs.secret === true ? 'current-password' : 'off';
        input.addEventListener('input', () => { r.typed = true; this.showCount(r); this.scheduleInput(r); });
        input.addEventListener('keydown', (ev: Event) => {
          const e = ev as KeyboardEvent;
          if (e.key !== 'Enter' || e.isComposing) return;
          if (multiline && e.shiftKey) return;           // Shift+Enter: a new line
          e.preventDefault();
          this.fire(r, 'submit');
        });
        el = box = input;
        break;
      }
      case 'listbox': {
        const ul = document.createElement('ul');
        ul.setAttribute('role', 'listbox');
        ul.tabIndex = 0;
        ul.addEventListener('keydown', e => this.listKey(r, e));
        el = box = ul;
        break;
      }
      case 'item': {
        const li = document.createElement('li');
        li.setAttribute('role', 'option');
        li.id = `opt-${w.id}`;
        li.setAttribute('aria-selected', 'false');
        li.addEventListener('click', e => {
          if ((e.target as HTMLElement).closest('.delete')) return;
          this.choose(r, 'select');
        });
        li.addEventListener('dblclick', () => this.choose(r, 'activate'));
        el = box = li;
        break;
      }
    }
    el.classList.add(`w-${w.kind}`);
    const r: Rendered = { id: w.id, kind: w.kind, attrs: { ...w.attrs }, events: w.events, parts: w.parts, parent, children: [], el, box };
    return r;
  }

  private apply(r: Rendered, attr: string, value: Value) {
    const el = r.el;
    switch (attr) {
      case 'name': if (typeof value === 'string') el.dataset.name = value; return;
      case 'role': this.showRole(r, value); return;
      case 'value': if (r.kind === 'item' && typeof value === 'string') el.dataset.value = value; return;
      case 'visible': el.hidden = value === false; this.showCount(r); return;
      case 'enabled':
        if (el instanceof HTMLButtonElement || el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.disabled = value === false;
        else el.setAttribute('aria-disabled', String(value === false));
        return;
      case 'title':
        if (r.kind === 'popup') (el.firstElementChild as HTMLElement).textContent = String(value ?? '');
        else document.title = String(value ?? 'Palaver');
        return;
      case 'placeholder': if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.placeholder = String(value ?? ''); return;
      // Not the DOM's maxlength, which silently cuts a paste: a count, and the server's refusal.
      case 'max-length': this.showCount(r); return;
      case 'secret': if (el instanceof HTMLInputElement) el.type = value === true ? 'password' : 'text'; return;
      case 'selected': this.showSelected(r, value); return;
      case 'text':
        if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) { el.value = String(value ?? ''); this.showCount(r); return; }
        if (r.kind === 'item') { this.renderItem(r); return; }
        el.textContent = String(value ?? '');
        if (r.kind === 'label') el.hidden = el.textContent === '' || r.attrs.visible === false;
        return;
      default:
        // An entry's part (its list declares it): drawn by its role.
        if (r.kind === 'item' && r.parent?.parts && Object.hasOwn(r.parent.parts, attr)) this.renderItem(r);
        return;
    }
  }

  /** `data-role` for the style sheet, and what the role means to assistive technology. */
  private showRole(r: Rendered, role: Value) {
    const el = r.el;
    if (typeof role === 'string') el.dataset.role = role; else delete el.dataset.role;
    const landmark = role === 'sidebar' ? 'navigation' : role === 'content' ? 'main' : role === 'aside' ? 'complementary'
      : role === 'heading' ? 'heading' : role === 'error' ? 'alert' : role === 'status' ? 'status' : null;
    if (landmark && r.kind !== 'listbox') el.setAttribute('role', landmark);
    if (role === 'heading') el.setAttribute('aria-level', '2');
    if (role === 'transcript') { r.box.setAttribute('aria-live', 'polite'); r.box.setAttribute('aria-relevant', 'additions'); }
  }

  /** An entry: plain text, or a message with its byline, timestamp and (if it is one's own) delete. */
  private renderItem(r: Rendered) {
    const e = entryView(r.attrs, r.parent?.parts);
    const li = r.el;
    li.replaceChildren();
    li.classList.toggle('own', e.own);
    li.classList.toggle('announcement', e.announcement);
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = e.text;
    if (e.announcement) {
      // An announcement: one quiet line, its time after it.
      li.append(text);
      if (e.timestamp) { const s = document.createElement('time'); s.className = 'timestamp'; s.textContent = e.timestamp; li.append(' ', s); }
      return;
    }
    if (e.byline || e.timestamp) {
      const head = document.createElement('div');
      head.className = 'head';
      if (e.byline) { const s = document.createElement('span'); s.className = 'byline'; s.textContent = e.byline; head.append(s); }
      if (e.timestamp) { const s = document.createElement('time'); s.className = 'timestamp'; s.textContent = e.timestamp; head.append(s); }
      const list = r.parent;
      if (e.own && list?.events.includes('activate')) {
        const del = document.createElement('button');
        del.type = 'button';
        del.className = 'delete';
        del.textContent = '×';
        del.setAttribute('aria-label', 'Delete');
        del.title = 'Delete';
        del.addEventListener('click', () => this.choose(r, 'activate'));
        head.append(del);
      }
      li.append(head);
    }
    li.append(text);
  }

  /** Near its max-length a text box shows its count after it ("3,950 / 4,000"), marked invalid
   *  past it. The text is never cut: the server refuses what is too long, in its own words. */
  private showCount(r: Rendered) {
    if (r.kind !== 'textbox') return;
    const input = r.el as HTMLInputElement | HTMLTextAreaElement;
    const count = countNear(input.value, r.attrs['max-length'], this.numbers);
    if (!count && !r.counter) return;
    if (!r.counter) {
      r.counter = document.createElement('div');
      r.counter.className = 'counter';
      r.counter.id = `count-${r.id}`;
      r.counter.setAttribute('aria-live', 'polite');
      input.after(r.counter);
    }
    const shown = count !== null && !input.hidden;
    r.counter.hidden = !shown;
    r.counter.textContent = count?.text ?? '';
    r.counter.classList.toggle('over', shown && count.over);
    if (shown) input.setAttribute('aria-describedby', r.counter.id);
    else input.removeAttribute('aria-describedby');
    if (shown && count.over) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  private showSelected(list: Rendered, value: Value) {
    for (const item of list.children) {
      const on = item.attrs.value === value;
      item.el.setAttribute('aria-selected', String(on));
      if (on) list.el.setAttribute('aria-activedescendant', item.el.id);
    }
  }

  // ---- user actions ----

  /** The user picked an item: select it, and report select or activate if the list binds it. */
  private choose(item: Rendered, event: 'select' | 'activate') {
    const list = item.parent;
    if (!list || list.kind !== 'listbox') return;
    list.attrs.selected = item.attrs.value ?? null;
    this.showSelected(list, list.attrs.selected);
    if (list.events.includes(event)) this.fire(list, event);
    else if (event === 'activate' && list.events.includes('select')) this.fire(list, 'select');
  }

  private listKey(list: Rendered, e: KeyboardEvent) {
    const items = list.children.filter(c => !c.el.hidden);
    if (!items.length) return;
    const at = items.findIndex(c => c.attrs.value === list.attrs.selected);
    const page = Math.max(1, Math.floor(list.el.clientHeight / (items[0].el.offsetHeight || 20)));
    let next = at;
    switch (e.key) {
      case 'ArrowDown': next = Math.min(items.length - 1, at + 1); break;
      case 'ArrowUp': next = at < 0 ? items.length - 1 : Math.max(0, at - 1); break;
      case 'PageDown': next = Math.min(items.length - 1, at + page); break;
      case 'PageUp': next = Math.max(0, at - page); break;
      case 'Home': next = 0; break;
      case 'End': next = items.length - 1; break;
      case 'Enter': case ' ':
        e.preventDefault();
        if (at >= 0) this.choose(items[at], list.events.includes('activate') ? 'activate' : 'select');
        return;
      default: return;
    }
    e.preventDefault();
    // Arrows move the highlight only; Enter (or a click) acts on it.
    list.attrs.selected = items[next].attrs.value ?? null;
    this.showSelected(list, list.attrs.selected);
    items[next].el.scrollIntoView({ block: 'nearest' });
  }

  private fire(r: Rendered, name: string) {
    if (!this.sink || !r.events.includes(name)) return;
    if (r.attrs.enabled === false) return;
    this.flushInput();
    const state: Record<WidgetId, Value> = {};
    for (const x of this.nodes.values()) {
      if (x.kind === 'textbox') { state[x.id] = (x.el as HTMLInputElement).value; x.typed = false; }
      else if (x.kind === 'listbox' && x.attrs.selected !== undefined) state[x.id] = x.attrs.selected;
    }
    this.sink.event({ id: r.id, name, state });
  }

  private scheduleInput(r: Rendered) {
    this.cancelInput(r.id);
    this.pendingInput.set(r.id, setTimeout(() => this.sendInput(r), INPUT_DEBOUNCE_MS));
  }

  private cancelInput(id: WidgetId) {
    const t = this.pendingInput.get(id);
    if (t) { clearTimeout(t); this.pendingInput.delete(id); }
  }

  private sendInput(r: Rendered) {
    this.cancelInput(r.id);
    // Passwords are sent with the event that uses them, never held by the server as a draft.
    if (r.attrs.secret === true) return;
    this.sink?.input(r.id, (r.el as HTMLInputElement).value);
  }

  /** Focus lands in the newest root's first text box (or a popup's first button). */
  private autofocus(created: Rendered | null) {
    const top = this.roots[this.roots.length - 1];
    if (!top || top.el.contains(document.activeElement)) return;
    if (!created) { top.el.querySelector<HTMLElement>('textarea, input, button')?.focus(); return; }
    const focusable = created.kind === 'textbox' || (created.kind === 'button' && top.kind === 'popup');
    if (focusable && rootOf(created) === top) created.el.focus();
  }
}

function rootOf(r: Rendered): Rendered {
  while (r.parent) r = r.parent;
  return r;
}

function isAtBottom(el: HTMLElement): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 48;
}

