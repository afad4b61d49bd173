// The line-mode front-end: plain lines in, plain lines out, for a serial console, a screen reader
// or a script. It keeps the core's widget tree and knows screens only by role: new transcript
// entries print as they arrive, a heading or an error line prints when it changes, and any
// screen can be shown (`screen`) with its fields and buttons numbered, so screens written later
// are usable too. Commands: see HELP.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Capability, Driver, EventSink, WidgetId, WidgetSpec } from '../../core/driver.ts';
import type { ErrorCode } from '../../core/errors.ts';
import { entryView, type EntryView } from '../../core/roles.ts';
import type { Value } from '../../core/values.ts';
import { WidgetTree, type TreeNode } from '../../core/widget-tree.ts';

export const HELP = `Commands (a line that starts with no command word is sent as a message):
  login NAME [PASSWORD]   sign in            logout           sign out
  send TEXT               send a message     listmsg [N]      the last N messages (20)
  listuser                who is here        channels         the channels (* = open)
  join CHANNEL            open a channel     screen           show the whole screen, numbered
  N TEXT                  type TEXT into field N
  N                       press button N, press Enter in field N, or open entry N
  N select                select entry N     cancel           close the popup
  help                    this list
  quit                    leave`;

/** The line client's command words: its own vocabulary (from the seeds' command-line clients). */
export const COMMANDS = new Set(['login', 'logout', 'send', 'listmsg', 'listuser', 'channels', 'join', 'screen', 'cancel', 'help', 'quit']);
/** A line longer than this is refused, not sent: nobody types it, a runaway script might. */
export const MAX_LINE = 16 * 1024;
/** Past this much unwritten output, new lines are dropped and counted (a reader that stopped). */
const MAX_PENDING_OUTPUT = 1 << 20;
/** Entry values remembered as printed, so a rebuilt screen (a reconnect) does not print them again. */
const PRINTED_MEMORY = 2_000;

export interface LineDriverOptions {
  input: Readable;
  output: Writable;
  languages: readonly string[];
  /** The user typed `quit`, or the input ended and what it asked for is done. */
  onQuit?(): void;
  /** How long the screen must be still before the next command of a script runs (ms). */
  quietMs?: number;
}

/** Control characters (an escape sequence in a chat message) would act on the user's terminal. */
export function inert(s: unknown): string {
  return String(s ?? '').replace(/\t/g, ' ').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '');
}

export class LineDriver implements Driver {
  readonly tree = new WidgetTree();
  private sink: EventSink | null = null;
  private readonly printed = new Set<string>();
  /** Fields, buttons and entries of the last `screen`, by number. */
  private numbered: TreeNode[] = [];
  /** `forbidden` came for the screen shown now: nobody is signed in. */
  private signInAsked = false;
  private lastChange = Date.now();
  private dropped = 0;
  private popupShown: TreeNode | null = null;
  private stopped = false;
  private closeInput = () => {};
  /** Resolves once the first screen is shown: commands typed before it wait (a script is fast). */
  private shown!: () => void;
  private readonly ready = new Promise<void>(r => (this.shown = r));
  /** The last command typed, done when this settles. */
  private queue: Promise<void> = this.ready;

  constructor(private readonly o: LineDriverOptions) {}

  languages() { return this.o.languages; }
  /** Lists, as lines; a popup is shown as numbered choices in the flow, not over the screen. */
  capabilities(): readonly Capability[] { return ['lists']; }

  async start(events: EventSink) {
    this.sink = events;
    const rl = createInterface({ input: this.o.input, crlfDelay: Infinity, terminal: false });
    this.closeInput = () => { rl.close(); this.o.input.destroy(); };
    // One line at a time: a script's `join` must wait for its `login` to be answered.
    rl.on('line', line => { this.queue = this.queue.then(() => this.command(line)).catch(err => this.print(`! ${inert((err as Error).message)}`)); });
    rl.on('close', () => { void this.queue.then(() => this.quiet()).then(() => this.o.onQuit?.()); });
  }

  /** Resolves when every line typed so far has been handled (for tests and embedding). */
  whenIdle(): Promise<void> { return this.queue; }

  /** Stops reading: the console is no longer this session's (stdin would keep the process up). */
  async stop() { this.stopped = true; this.closeInput(); }

  // ---- what the session tells it ----

  create(w: WidgetSpec) {
    const { node } = this.tree.create(w);
    this.changed();
    if (!node.parent) this.shown();
    if (node.kind === 'item' && node.parent?.attrs.role === 'transcript') this.printEntry(node);
    else if (node.kind === 'popup') setImmediate(() => this.showPopup(node));
    else if (node.kind === 'label') this.announce(node, undefined);
  }

  set(id: WidgetId, attr: string, value: Value) {
    const before = this.tree.get(id)?.attrs.text;
    const { node } = this.tree.set(id, attr, value);
    this.changed();
    if (attr === 'text' && node.kind === 'label') this.announce(node, before);
  }

  remove(id: WidgetId) {
    const node = this.tree.remove(id);
    this.changed();
    if (node === this.popupShown) this.popupShown = null;
  }

  clear() { this.tree.clear(); this.popupShown = null; this.signInAsked = false; this.changed(); }

  forbidden() { this.signInAsked = true; this.print(NOT_SIGNED_IN); }

  error(_code: ErrorCode, message: string) { this.print(`! ${inert(message)}`); }

  // ---- printing ----

  private print(line: string) {
    if (this.stopped) return;
    const out = this.o.output;
    if (out.writableLength > MAX_PENDING_OUTPUT) { this.dropped++; return; }
    if (this.dropped) { out.write(`(${this.dropped} lines dropped: the output was not being read)\n`); this.dropped = 0; }
    out.write(`${line}\n`);
  }

  private printEntry(item: TreeNode) {
    const key = String(item.attrs.value ?? item.id);
    if (this.printed.has(key)) return;
    this.printed.add(key);
    if (this.printed.size > PRINTED_MEMORY) this.printed.delete(this.printed.values().next().value!);
    this.print(entryLine(entryView(item.attrs, item.parent?.parts)));
  }

  /** Headings, errors and status lines print when their text changes to something. */
  private announce(label: TreeNode, before: Value | undefined) {
    const text = inert(label.attrs.text);
    if (!text || text === inert(before) || !this.tree.visible(label)) return;
    const role = label.attrs.role;
    if (role === 'heading') this.print(`-- ${text} --`);
    else if (role === 'error') this.print(`! ${text}`);
    else if (role === 'status') this.print(`(${text})`);
  }

  private showPopup(popup: TreeNode) {
    if (this.tree.popup !== popup || this.popupShown === popup) return;
    this.popupShown = popup;
    this.screen([popup]);
  }

  /**
   * Roots drawn as lines, bottom to top (a popup last, nearest the prompt). Only the top root's
   * fields, buttons and entries are numbered, for `N` and `N TEXT`: the others cannot be used.
   */
  private screen(roots: readonly TreeNode[] = this.tree.roots) {
    if (!roots.length) return this.print('(nothing is shown)');
    if (this.signInAsked) this.print(NOT_SIGNED_IN);
    this.numbered = [];
    const top = this.tree.roots[this.tree.roots.length - 1];
    for (const root of roots) {
      const title = inert(root.attrs.title);
      this.print(root.kind === 'popup' ? `== ${title} == (answer with a number; cancel closes it)` : `== ${title} ==`);
      const number = (n: TreeNode) => (root === top ? String(this.numbered.push(n)) : ' ');
      let caption = '';
      const walk = (n: TreeNode) => {
        if (!this.tree.visible(n)) return;
        switch (n.kind) {
          case 'label': {
            const text = inert(n.attrs.text);
            if (!text) break;
            caption = text;
            this.print(n.attrs.role === 'error' ? `! ${text}` : n.attrs.role === 'heading' ? `-- ${text} --` : text);
            break;
          }
          case 'textbox': {
            const value = n.attrs.secret === true ? '*'.repeat(String(n.attrs.text ?? '').length) : inert(n.attrs.text);
            this.print(`[${number(n)}] ${inert(n.attrs.placeholder) || caption || 'text'}: ${value}`);
            break;
          }
          case 'button':
            this.print(`(${number(n)}) ${inert(n.attrs.text)}${this.tree.usable(n) ? '' : ' (not available)'}`);
            break;
          case 'listbox': {
            const entries = n.children.filter(c => c.attrs.visible !== false);
            // A transcript can be long: its newest entries; `listmsg N` shows more.
            for (const c of n.attrs.role === 'transcript' ? entries.slice(-10) : entries) {
              const mark = c.attrs.value === n.attrs.selected ? '*' : '-';
              this.print(`${number(c)}. ${mark} ${entryLine(entryView(c.attrs, n.parts))}`);
            }
            break;
          }
        }
        if (n.kind !== 'listbox') n.children.forEach(walk);
      };
      root.children.forEach(walk);
    }
  }

  // ---- what the user types ----

  private async command(raw: string) {
    if (raw.length > MAX_LINE) return this.print(`! That line is too long (${raw.length} characters; at most ${MAX_LINE}).`);
    const line = raw.trim();
    if (!line) return;
    const [word, ...rest] = line.split(/\s+/);
    const arg = line.slice(word.length).trim();
    const number = /^\d+$/.test(word) ? Number(word) : 0;
    if (number) return this.act(number, arg);
    if (!COMMANDS.has(word.toLowerCase())) return this.say(line);
    switch (word.toLowerCase()) {
      case 'help': return this.print(HELP);
      case 'quit': return this.o.onQuit?.();
      case 'screen': return this.screen();
      case 'login':
        if (!rest[0]) return this.print('! Usage: login NAME [PASSWORD]');
        // The password is the rest of the line: it may hold spaces.
        this.need().authenticate(rest[0], arg.slice(rest[0].length).trim() || undefined);
        return this.quiet();
      case 'logout': {
        const window = this.tree.roots[0];
        if (!window?.events.includes('close')) return this.print('! There is nothing to sign out of here.');
        return this.fire(window, 'close');
      }
      case 'send': return this.say(arg);
      case 'listmsg': {
        const list = this.withRole('transcript');
        const n = Number(rest[0] ?? 20);
        if (!list) return this.print('! No messages are shown here.');
        for (const c of list.children.slice(-(Number.isInteger(n) && n > 0 ? n : 20))) this.print(entryLine(entryView(c.attrs, list.parts)));
        return;
      }
      case 'listuser': return this.listEntries('roster', 'Nobody is listed here.');
      case 'channels': return this.listEntries('navigation', 'No channels are listed here.');
      case 'join': return this.join(arg.replace(/^#/, ''));
      case 'cancel': {
        const popup = this.tree.popup;
        if (!popup?.events.includes('cancel')) return this.print('! No popup is open.');
        return this.fire(popup, 'cancel');
      }
    }
  }

  private async say(text: string) {
    if (!text) return this.print('! Usage: send TEXT');
    if (this.tree.popup) return this.print('! A popup is open: answer it with a number, or cancel.');
    const composer = this.withRole('composer');
    if (!composer) return this.print('! There is nowhere to write here. Sign in first: login NAME');
    composer.attrs.text = text;
    return this.fire(composer, 'submit');
  }

  private async act(n: number, text: string) {
    const target = this.numbered[n - 1];
    if (!target || this.tree.get(target.id) !== target) return this.print('! No such number: type screen to see the numbers.');
    if (target.kind === 'textbox') {
      // A field with text after its number is typed into; a field alone is Enter in it.
      if (!text) return this.fire(target, 'submit');
      target.attrs.text = text;
      this.need().input(target.id, text);
      return;
    }
    if (target.kind === 'item') {
      const list = target.parent!;
      if (text && text.toLowerCase() !== 'select') return this.print('! Usage: N to open entry N, N select to select it.');
      list.attrs.selected = target.attrs.value ?? null;
      // Enter on an entry opens it where the list binds that, as in the terminal.
      return this.fire(list, !text && list.events.includes('activate') ? 'activate' : 'select');
    }
    if (text) return this.print('! Buttons take no text: type just the number.');
    return this.fire(target, 'click');
  }

  private async join(name: string) {
    const list = this.withRole('navigation');
    const entry = list?.children.find(c => inert(c.attrs.text).toLowerCase() === name.toLowerCase());
    if (!list || !entry) return this.print(`! There is no channel ${inert(name)} here: type channels to see them.`);
    list.attrs.selected = entry.attrs.value ?? null;
    return this.fire(list, list.events.includes('select') ? 'select' : 'activate');
  }

  private listEntries(role: string, none: string) {
    const list = this.withRole(role);
    if (!list || !list.children.length) return this.print(none);
    for (const c of list.children) this.print(`${c.attrs.value === list.attrs.selected ? '*' : '-'} ${inert(c.attrs.text)}`);
  }

  private withRole(role: string): TreeNode | undefined {
    return this.tree.find(n => n.attrs.role === role && this.tree.visible(n));
  }

  /** Sends an event as a person's action would: only on a usable widget, only if bound. */
  private async fire(n: TreeNode, event: string) {
    if (!this.tree.usable(n)) return this.print('! That is not available right now.');
    if (!n.events.includes(event)) return this.print('! That does nothing here.');
    this.need().event(this.tree.event(n, event));
    await this.quiet();
  }

  private changed() { this.lastChange = Date.now(); }

  /** Waits until the screen has been still for a moment (the answer arrived), 5 s at most. */
  private async quiet(): Promise<void> {
    const still = this.o.quietMs ?? 200;
    const started = Date.now();
    await new Promise(r => setTimeout(r, still));
    while (Date.now() - this.lastChange < still && Date.now() - started < 5_000) await new Promise(r => setTimeout(r, still / 4));
  }

  private need(): EventSink {
    if (!this.sink) throw new Error('driver not started');
    return this.sink;
  }
}

const NOT_SIGNED_IN = 'Not signed in. Sign in with: login NAME [PASSWORD]';

/** `[09:30] alice: hello`, `[09:31] * bob has joined`, or the text alone. */
export function entryLine(e: EntryView): string {
  const time = e.timestamp ? `[${inert(e.timestamp)}] ` : '';
  const text = inert(e.text).replace(/\n/g, '\n    ');
  if (e.announcement || !e.byline) return `${time}${text}`;
  return `${time}${inert(e.byline)}: ${text}`;
}
