// A session: the server-held state of one front-end connection point (a browser tab, a
// terminal). It owns the full widget tree, the popup stack and what the user has typed, and a
// worker that handles events and tasks one at a time, in order. Everything it shows goes
// through its driver, so any front-end can be rebuilt from `snapshot()` at any time.
import type { Binding, Description, Template } from './description.ts';
import type { Command } from './commands.ts';
import type { Capability, Driver, EventSink, UserEvent, WidgetId, WidgetSpec } from './driver.ts';
import type { Catalogs } from './i18n.ts';
import type { Library } from './library.ts';
import { isWidgetRole, PART_ROLES, type Parts } from './roles.ts';
import { SCHEMA, fits, type WidgetKind } from './schema.ts';
import { tooLongForDraft } from './drafts.ts';
import { Worker } from './worker.ts';
import { Translatable, type Attributes, type DescriptionValue, type Value } from './values.ts';

/** Who is signed in: a display name, and the secret a front-end keeps to resume (a cookie). */
export interface Principal { name: string; token: string }

export interface ActionEvent {
  /** The name of the widget that raised the event, if it has one. */
  widget?: string;
  event: string;
  /** For listbox events: the `value` of the item concerned. */
  item?: string;
}

/** What an application plugs into the core. */
export interface Application<S> {
  library: Library;
  catalogs: Catalogs;
  initialState(): S;
  /** Shows the first screen: called when the session starts and after sign-in or sign-out. */
  start(ui: Ui<S>): unknown;
  /** The session is ending (sign-out, expiry, shutdown): release what it holds. */
  end?(ui: Ui<S>, reason: EndReason): unknown;
  /** The principal behind a kept token (a cookie), or null if it is no longer valid. */
  resume?(token: string): Promise<Principal | null>;
  /** Signs the session in from a protocol `auth` request; returns a refusal message or null. */
  authenticate?(ui: Ui<S>, user: string, password: string | undefined): Promise<string | null>;
}

/**
 * `evicted`: ended to make room (the table or the sign-in's share is full); nobody is signed out.
 * `reload`: the screens changed (`serve --dev`); the application starts again on the same session.
 */
export type EndReason = 'sign-out' | 'closed' | 'expired' | 'shutdown' | 'evicted' | 'reload';

/** The API actions use. Widget names resolve in the top popup first, then below it. */
export interface Ui<S = unknown> {
  readonly user: Principal | null;
  readonly state: S;
  readonly language: string;
  /** Whether the front-end can draw this (a screen may offer a fallback where it cannot). */
  can(capability: Capability): boolean;
  t(msgid: string, params?: Record<string, string | number>): string;
  show(screen: string): void;
  get(name: string, attr: string): Value | undefined;
  set(name: string, attr: string, value: Value): void;
  has(name: string): boolean;
  add(listbox: string, item: Attributes & { value: string }, opts?: { before?: string }): void;
  removeItem(listbox: string, value: string): boolean;
  items(listbox: string): string[];
  hasItem(listbox: string, value: string): boolean;
  /** A copy of an item's attributes, or undefined. */
  getItem(listbox: string, value: string): Attributes | undefined;
  clearItems(listbox: string): void;
  remove(name: string): void;
  popup(name: string, init?: Record<string, Attributes>): Promise<Value>;
  close(result?: Value): void;
  /** Runs `task` on this session's worker, after what is already queued. */
  post(task: (ui: Ui<S>) => unknown): void;
  /**
   * Counts one sign-in attempt against the limits of where this front-end connects from (per
   * client address, say); false when over them. Call it before checking any credential.
   */
  takeSignInAttempt(): boolean;
  signIn(user: Principal): Promise<void>;
  signOut(): Promise<void>;
  readonly popupOpen: boolean;
}

interface Widget {
  id: WidgetId;
  kind: WidgetKind;
  attrs: Attributes;
  on: Record<string, Binding> | null;
  parent: Widget | null;
  children: Widget[];
  scope: Scope;
  /** listbox only: its entries, in order. */
  items?: Items;
  /** listbox only: its entries' parts, as its description declares them (shared, frozen). */
  parts?: Parts;
}

/**
 * A listbox's entries. They are many (a channel shows 100 messages in every session), so they
 * are not widgets but two parallel arrays: numeric ids, and attributes that may be one frozen
 * object shared by every session showing the same entry.
 */
interface Items { ids: number[]; attrs: Attributes[] }

/** Frozen (shared) entry attributes already checked, with the parts they were checked against. */
const checkedItems = new WeakMap<Attributes, Parts | undefined>();

/** The window or one popup: a widget tree with its own names. */
interface Scope {
  root: Widget;
  names: Map<string, Widget>;
  description: Description;
  answer?: (v: Value) => void;
  /** The job that opened this popup, parked on it (core/worker.ts). */
  owner?: Promise<void>;
}

export interface SessionOptions {
  /** Called when an action or task throws: the session lives on. */
  onError?(err: unknown): void;
  /** Called after sign-in or sign-out, so a transport can issue or drop credentials. */
  onPrincipal?(user: Principal | null): void;
  /** Called once when the session has ended. */
  onEnd?(reason: EndReason): void;
  /** Asked for each sign-in attempt (`Ui.takeSignInAttempt`); none means no limit here. */
  signInAllowed?(): boolean;
}

const NO_CHILDREN: Widget[] = [];
const MAX_QUEUED_FROM_USER = 10_000;
const NO_EVENTS: readonly string[] = Object.freeze([]);

/** A widget the user can act on: neither it nor a container around it is disabled or hidden. */
function usable(w: Widget): boolean {
  for (let x: Widget | null = w; x; x = x.parent) if (x.attrs.enabled === false || x.attrs.visible === false) return false;
  return true;
}

function named(t: Template, name: string): boolean {
  return t.name === name || t.children.some(c => named(c, name));
}

function indexOf(items: Items, value: string): number {
  const attrs = items.attrs;
  for (let i = 0; i < attrs.length; i++) if (attrs[i].value === value) return i;
  return -1;
}

export class Session<S = unknown> implements Ui<S> {
  readonly state: S;
  language = 'en';
  user: Principal | null = null;

  private screen: Scope | null = null;
  private popups: Scope[] = [];
  private nextId = 1;
  private readonly worker = new Worker(err => this.fail(err));
  private ended = false;
  /** The driver was told `forbidden` for the screen shown now (nobody signed in). */
  private signInAsked = false;
  /** `forbidden` was sent since the last `clear`. */
  private toldForbidden = false;

  constructor(
    private readonly app: Application<S>,
    readonly driver: Driver,
    private readonly options: SessionOptions = {},
  ) {
    this.state = app.initialState();
  }

  // ---- lifecycle ----

  /** Starts the driver and shows the first screen, signed in as `user` or not. */
  async start(user: Principal | null = null): Promise<void> {
    this.language = this.app.catalogs.pick(this.driver.languages());
    const sink: EventSink = {
      // Never run an action inside the driver's callback: a handler may remove its own widget.
      event: e => this.enqueueFromUser(() => this.dispatch(e)),
      input: (id, value) => this.enqueueFromUser(() => this.applyInput(id, value)),
      authenticate: (user, password) => this.enqueueFromUser(() => this.authenticate(user, password)),
    };
    await this.driver.start(sink);
    this.user = user;
    await this.run(() => this.begin());
  }

  get popupOpen(): boolean { return this.popups.length > 0; }

  /** Ends the session: the application releases what it holds, then the driver stops. */
  async end(reason: EndReason): Promise<void> {
    if (this.ended) return;
    await this.run(async () => { await this.app.end?.(this, reason); });
    this.ended = true;
    this.worker.stop();
    this.answerAllPopups();
    this.options.onEnd?.(reason);
    await this.driver.stop();
  }

  /** Runs `fn` on the worker, after what is queued; resolves when `fn` is done. */
  run(fn: () => unknown): Promise<void> { return this.worker.run(fn); }

  post(task: (ui: Ui<S>) => unknown): void { this.worker.enqueue(() => task(this)); }

  /**
   * Starts the application. `forbidden` belongs to the screen after the last `clear`, as in a
   * snapshot: the screen the application shows says it; one that shows none gets it at the end.
   */
  private async begin() {
    this.signInAsked = !this.user;
    this.toldForbidden = false;
    await this.app.start(this);
    if (this.signInAsked && !this.toldForbidden) this.tellForbidden();
  }

  private tellForbidden() {
    this.driver.forbidden();
    this.toldForbidden = true;
  }

  private async authenticate(user: string, password: string | undefined) {
    if (!this.app.authenticate) return this.driver.error('not-supported', this.t('Signing in by name is not supported here.'));
    const refused = await this.app.authenticate(this, user, password);
    if (refused !== null) this.driver.error('auth-failed', refused);
  }

  takeSignInAttempt(): boolean { return this.options.signInAllowed?.() ?? true; }

  async signIn(user: Principal): Promise<void> {
    this.user = user;
    this.options.onPrincipal?.(user);
    this.resetScreen();
    await this.begin();
  }

  async signOut(): Promise<void> {
    await this.app.end?.(this, 'sign-out');
    this.user = null;
    this.options.onPrincipal?.(null);
    this.resetScreen();
    await this.begin();
  }

  /**
   * Shows the screen anew with the application's current descriptions and catalogs (`serve
   * --dev`): the application ends and starts again on this session, signed in as before.
   */
  reload(): Promise<void> {
    return this.run(async () => {
      await this.app.end?.(this, 'reload');
      this.language = this.app.catalogs.pick(this.driver.languages());
      this.resetScreen();
      await this.begin();
    });
  }

  // ---- the worker ----

  /** What a front-end sends is bounded: a flood is refused, not queued without end. */
  private enqueueFromUser(job: () => unknown) {
    if (this.worker.length >= MAX_QUEUED_FROM_USER) {
      this.driver.error('busy', this.t('Too much at once: please wait a moment.'));
      return;
    }
    this.worker.enqueue(job);
  }

  /** True when no job is queued or running (a job waiting on a popup counts as done). */
  get idle(): boolean { return this.worker.idle; }

  /** Resolves once every queued job has run (a job waiting on a popup counts as done). */
  whenIdle(): Promise<void> { return this.worker.whenIdle(); }

  private fail(err: unknown) {
    this.options.onError?.(err);
    if (!this.ended) this.driver.error('internal', this.t('Something went wrong. Please try again.'));
  }

  private async dispatch(e: UserEvent) {
    const w = this.widgetById(e.id);
    if (!w) return this.driver.error('no-such-widget', `There is no widget ${e.id}.`);
    const top = this.popups[this.popups.length - 1];
    if (top && w.scope !== top) return this.driver.error('modal', this.t('Please answer the open dialog first.'));
    if (!usable(w)) return this.driver.error('disabled', this.t('That is not available right now.'));
    // Own properties only: a client naming `constructor` or `__proto__` finds no binding.
    const binding = w.on && Object.hasOwn(w.on, e.name) ? w.on[e.name] : undefined;
    if (!binding) return this.driver.error('not-bound', `Widget ${e.id} does not handle ${e.name}.`);
    for (const [id, value] of Object.entries(e.state ?? {})) this.applyInput(id, value, false);
    const ev: ActionEvent = { widget: this.nameOf(w), event: e.name };
    if (w.kind === 'listbox' && typeof w.attrs.selected === 'string') ev.item = w.attrs.selected;
    await this.invoke(binding, ev);
  }

  private async invoke(b: Binding, ev: ActionEvent) {
    if (b.action === 'close') return this.close(b.args[0] ?? null);
    const actions = this.app.library.actions;
    if (!Object.hasOwn(actions, b.action)) throw new Error(`unknown action ${b.action}`);
    const action = actions[b.action];
    await action(this, ev, ...b.args);
  }

  /**
   * The user's own edits: stored silently, never echoed back to the driver. A draft (`input`, not
   * an event's state at submit) is kept only where it is needed and small: the browser never sends
   * one for a secret box, and one past twice the box's max-length (else 4,096 code points) keeps
   * the previous draft, so an idle session holds little. Text at submit is stored whole: the app
   * refuses what is too long with its own error, never a silent cut.
   */
  private applyInput(id: WidgetId, value: Value, draft = true) {
    const w = this.widgetById(id);
    if (!w) return;
    const attr = SCHEMA[w.kind].editable;
    if (!attr || !fits(SCHEMA[w.kind].attrs[attr], value)) return;
    if (w.kind === 'listbox' && value !== null && indexOf(w.items!, value as string) < 0) return;
    if (draft && w.kind === 'textbox' && (w.attrs.secret === true || tooLongForDraft(value, w.attrs['max-length']))) return;
    w.attrs[attr] = value;
  }

  // ---- the UI API ----

  can(capability: Capability): boolean { return this.driver.capabilities().includes(capability); }

  t(msgid: string, params?: Record<string, string | number>): string {
    return this.app.catalogs.translate(this.language, msgid, params);
  }

  show(screen: string): void {
    const d = this.description(screen);
    if (d.root.kind !== 'window') throw new Error(`${screen} is a popup: open it with ui.popup()`);
    this.resetScreen();
    this.screen = this.instantiate(d, {});
  }

  async popup(name: string, init: Record<string, Attributes> = {}): Promise<Value> {
    const d = this.description(name);
    if (d.root.kind !== 'popup') throw new Error(`${name} is a window: show it with ui.show()`);
    for (const key of Object.keys(init)) if (!named(d.root, key)) throw new Error(`popup ${name} has no widget named ${key} (in its init)`);
    let answer!: (v: Value) => void;
    const result = new Promise<Value>(r => (answer = r));
    const scope = this.instantiate(d, init);
    scope.answer = answer;
    this.popups.push(scope);
    // This action now waits for the answer; the worker goes on with other jobs meanwhile.
    this.worker.parkOn(scope);
    return result;
  }

  close(result: Value = null): void {
    const scope = this.popups.pop();
    if (!scope) return;
    this.destroy(scope.root);
    scope.answer?.(result);
    this.worker.wake(scope);
  }

  has(name: string): boolean { return this.lookup(name) !== undefined; }

  get(name: string, attr: string): Value | undefined {
    return this.find(name).attrs[attr];
  }

  set(name: string, attr: string, value: Value): void {
    this.setWidget(this.find(name), attr, value);
  }

  /**
   * Adds an entry. A frozen `item` is kept as it is and may be shared with other sessions;
   * anything else is copied. Past the list's `max-items`, its first entries are dropped: the
   * driver drops them too, unasked, so no `delete` is sent for them.
   */
  add(listbox: string, item: Attributes & { value: string }, opts: { before?: string } = {}): void {
    const lb = this.find(listbox, 'listbox');
    const items = lb.items!;
    if (indexOf(items, item.value) >= 0) throw new Error(`${listbox} already has an item ${item.value}`);
    const frozen = Object.isFrozen(item);
    if (!frozen || !checkedItems.has(item) || checkedItems.get(item) !== lb.parts) {
      for (const [k, v] of Object.entries(item)) this.checkAttr('item', k, v, lb.parts);
      if (frozen) checkedItems.set(item, lb.parts);
    }
    let at = opts.before === undefined ? -1 : indexOf(items, opts.before);
    if (at < 0) at = items.ids.length;
    items.ids.splice(at, 0, this.nextId++);
    items.attrs.splice(at, 0, frozen ? item : { ...item });
    this.driver.create(this.itemSpec(lb, at, true));
    this.enforceMax(lb);
  }

  removeItem(listbox: string, value: string): boolean {
    const lb = this.find(listbox, 'listbox');
    const at = indexOf(lb.items!, value);
    if (at < 0) return false;
    this.dropItem(lb, at);
    return true;
  }

  items(listbox: string): string[] {
    return this.find(listbox, 'listbox').items!.attrs.map(a => a.value as string);
  }

  hasItem(listbox: string, value: string): boolean {
    return indexOf(this.find(listbox, 'listbox').items!, value) >= 0;
  }

  getItem(listbox: string, value: string): Attributes | undefined {
    const items = this.find(listbox, 'listbox').items!;
    const at = indexOf(items, value);
    return at >= 0 ? { ...items.attrs[at] } : undefined;
  }

  clearItems(listbox: string): void {
    const lb = this.find(listbox, 'listbox');
    while (lb.items!.ids.length) this.dropItem(lb, lb.items!.ids.length - 1);
  }

  remove(name: string): void {
    const w = this.find(name);
    if (w === w.scope.root) throw new Error(`${name} is a root: use show() or close()`);
    this.destroy(w);
  }

  // ---- snapshot ----

  /** The commands that rebuild this session's front-end exactly, popups included. */
  snapshot(): Command[] {
    const out: Command[] = [{ op: 'clear' }];
    if (this.signInAsked) out.push({ op: 'forbidden' });
    // Pre-order, so every parent exists before its children and siblings arrive in order
    // (a listbox has entries, never child widgets).
    this.eachWidget(w => {
      out.push({ op: 'new', ...this.spec(w, false) });
      for (let i = 0; i < (w.items?.ids.length ?? 0); i++) out.push({ op: 'new', ...this.itemSpec(w, i, false) });
    });
    return out;
  }

  /** How many widgets the session holds now, list entries included. */
  widgetCount(): number {
    let n = 0;
    this.eachWidget(w => { n += 1 + (w.items?.ids.length ?? 0); });
    return n;
  }

  // ---- internals ----

  private description(name: string): Description {
    const d = this.app.library.descriptions.get(name);
    if (!d) throw new Error(`no description named ${name}`);
    return d;
  }

  private resetScreen() {
    this.answerAllPopups();
    this.screen = null;
    this.driver.clear();
    this.toldForbidden = false;
    if (this.signInAsked && this.user === null) this.tellForbidden();
  }

  private answerAllPopups() {
    for (const p of this.popups.splice(0).reverse()) {
      p.answer?.(null);
      this.worker.wake(p);
    }
  }

  /** Visits every widget: the window's, then each popup's. (A screen has a few dozen.) */
  private eachWidget(visit: (w: Widget) => void) {
    const walk = (w: Widget) => { visit(w); w.children.forEach(walk); };
    if (this.screen) walk(this.screen.root);
    for (const p of this.popups) walk(p.root);
  }

  /** Events are few and screens small: a walk beats keeping a map in every session. */
  private widgetById(id: WidgetId): Widget | undefined {
    let hit: Widget | undefined;
    this.eachWidget(w => { if (w.id === id) hit = w; });
    return hit;
  }

  private lookup(name: string): Widget | undefined {
    for (let i = this.popups.length - 1; i >= 0; i--) {
      const w = this.popups[i].names.get(name);
      if (w) return w;
    }
    return this.screen?.names.get(name);
  }

  private find(name: string, kind?: WidgetKind): Widget {
    const w = this.lookup(name);
    if (!w) throw new Error(`no widget named ${name} on screen`);
    if (kind && w.kind !== kind) throw new Error(`${name} is a ${w.kind}, not a ${kind}`);
    return w;
  }

  private nameOf(w: Widget): string | undefined {
    return typeof w.attrs.name === 'string' ? w.attrs.name : undefined;
  }

  /** Throws unless `attr` is one `kind` takes, with a value of its type (an entry: of its list's parts too). */
  private checkAttr(kind: WidgetKind, attr: string, value: Value, parts?: Parts) {
    const type = Object.hasOwn(SCHEMA[kind].attrs, attr) ? SCHEMA[kind].attrs[attr]
      : kind === 'item' && parts && Object.hasOwn(parts, attr) ? PART_ROLES[parts[attr]] : undefined;
    if (!type) throw new Error(`${kind} has no attribute ${attr}` + (kind === 'item' ? ' (declare it as a part of the list)' : ''));
    if (!fits(type, value)) throw new Error(`wrong type for ${kind} ${attr}: ${JSON.stringify(value)}`);
    if (attr === 'role' && value !== null && !isWidgetRole(value)) throw new Error(`unknown role ${String(value)}`);
  }

  private setWidget(w: Widget, attr: string, value: Value) {
    this.checkAttr(w.kind, attr, value);
    if (attr === 'name') throw new Error(`${attr} cannot change`);
    if (w.attrs[attr] === value) return;
    w.attrs[attr] = value;
    this.driver.set(w.id, attr, value);
    if (attr === 'max-items') this.enforceMax(w);
  }

  /** Drops a listbox's first entries past its `max-items`; drivers do the same by themselves. */
  private enforceMax(lb: Widget) {
    const max = lb.attrs['max-items'];
    const { ids, attrs } = lb.items!;
    if (typeof max === 'number' && ids.length > max) { ids.splice(0, ids.length - max); attrs.splice(0, attrs.length - max); }
  }

  private dropItem(lb: Widget, at: number) {
    const [id] = lb.items!.ids.splice(at, 1);
    const [attrs] = lb.items!.attrs.splice(at, 1);
    if (lb.attrs.selected === attrs.value) lb.attrs.selected = null;
    this.driver.remove(`w${id}`);
  }

  /** The spec of entry `at`; `placed` names the entry it goes before (none when rebuilding in order). */
  private itemSpec(lb: Widget, at: number, placed: boolean): WidgetSpec {
    const { ids, attrs } = lb.items!;
    // Entry ids are kept as numbers and written out only when sent.
    const s: WidgetSpec = { id: `w${ids[at]}`, kind: 'item', parent: lb.id, attrs: attrs[at], events: NO_EVENTS };
    if (placed && at + 1 < ids.length) s.before = `w${ids[at + 1]}`;
    return s;
  }

  private instantiate(d: Description, init: Record<string, Attributes>): Scope {
    const scope = { names: new Map(), description: d } as unknown as Scope;
    const build = (t: Template, parent: Widget | null): Widget => {
      const attrs: Attributes = {};
      for (const [k, v] of Object.entries(t.attrs)) attrs[k] = this.translate(v);
      const extra = t.name ? init[t.name] : undefined;
      if (extra) for (const [k, v] of Object.entries(extra)) { this.checkAttr(t.kind, k, v, parent?.parts); attrs[k] = v; }
      if (t.kind === 'item' && parent?.items) {
        // An entry written in the description: an item like any other, its value by position.
        parent.items.attrs.push({ value: `i${parent.items.ids.length}`, ...attrs });
        parent.items.ids.push(this.nextId++);
        this.driver.create(this.itemSpec(parent, parent.items.ids.length - 1, false));
        return parent;
      }
      const w = this.makeWidget(t.kind, attrs, Object.keys(t.on).length ? t.on : null, parent, scope);
      if (t.parts) w.parts = t.parts;
      if (t.name) scope.names.set(t.name, w);
      this.driver.create(this.spec(w));
      for (const c of t.children) build(c, w);
      return w;
    };
    scope.root = build(d.root, null);
    return scope;
  }

  private translate(v: DescriptionValue): Value {
    return v instanceof Translatable ? this.t(v.msgid) : v;
  }

  private makeWidget(kind: WidgetKind, attrs: Attributes, on: Record<string, Binding> | null, parent: Widget | null, scope: Scope, before?: Widget): Widget {
    const leaf = SCHEMA[kind].children.length === 0 || kind === 'listbox';
    const w: Widget = { id: `w${this.nextId++}`, kind, attrs, on, parent, children: leaf ? NO_CHILDREN : [], scope };
    if (kind === 'listbox') w.items = { ids: [], attrs: [] };
    if (parent) {
      const at = before ? parent.children.indexOf(before) : -1;
      if (at >= 0) parent.children.splice(at, 0, w);
      else parent.children.push(w);
    }
    return w;
  }

  private spec(w: Widget, placed = true): WidgetSpec {
    const s: WidgetSpec = { id: w.id, kind: w.kind, parent: w.parent?.id ?? null, attrs: { ...w.attrs }, events: w.on ? Object.keys(w.on) : [] };
    if (w.parts) s.parts = w.parts;
    if (placed && w.parent) {
      const siblings = w.parent.children;
      const next = siblings[siblings.indexOf(w) + 1];
      if (next) s.before = next.id;
    }
    return s;
  }

  private destroy(w: Widget) {
    const forget = (x: Widget) => {
      const name = this.nameOf(x);
      if (name && x.scope.names.get(name) === x) x.scope.names.delete(name);
      x.children.forEach(forget);
    };
    forget(w);
    if (w.parent) w.parent.children.splice(w.parent.children.indexOf(w), 1);
    this.driver.remove(w.id);
  }
}
