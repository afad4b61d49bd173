// The line-mode front-end's harness for the conformance suite. What it shows is read from the lines
// it prints (its `screen` command, as a user would type it); it acts only by typing lines. The
// driver's tree is used for one thing only: to put the fixture's widget names on what was read.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { apply } from '../../core/commands.ts';
import { Session } from '../../core/session.ts';
import type { ShownWidget, TreeNode } from '../../core/widget-tree.ts';
import { LineDriver, type LineDriverOptions } from '../../drivers/line/driver.ts';
import type { FixtureState } from '../support/fixture-app.ts';
import type { MakeDriver } from './suite.ts';

export type MakeLineDriver = (o: LineDriverOptions) => LineDriver;

/** A line driver on in-memory streams: what it printed so far, and a way to type. */
class Console {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  readonly driver: LineDriver;
  out = '';

  constructor(languages: readonly string[], make: MakeLineDriver) {
    this.output.setEncoding('utf8').on('data', (d: string) => { this.out += d; });
    this.driver = make({ input: this.input, output: this.output, languages, quietMs: 5 });
  }

  type(line: string) { this.input.write(`${line}\n`); }

  /** Waits until what was typed has been handled and nothing more is printed. */
  async settle(session?: Session<FixtureState>) {
    let still = 0;
    for (let round = 0; round < 400 && still < 3; round++) {
      const before = this.out.length;
      await new Promise(r => setTimeout(r, 5));
      await this.driver.whenIdle();
      await session?.whenIdle();
      still = this.out.length === before && (session?.idle ?? true) ? still + 1 : 0;
    }
    assert.ok(still >= 3, 'the line client did not settle');
  }

  /** Types `screen` and returns what it printed in answer. */
  async screen(session?: Session<FixtureState>): Promise<string> {
    await this.settle(session);
    const mark = this.out.length;
    this.type('screen');
    await this.settle(session);
    return this.out.slice(mark);
  }
}

interface Reading { shown: ShownWidget[]; numbers: Map<TreeNode, number> }

/**
 * Reads a printed screen back into widgets, walking the driver's tree only to name what each
 * printed line is. A line that is missing or says something else fails, with the screen.
 */
function read(screen: string, tree: LineDriver['tree']): Reading {
  const lines = screen.split('\n').filter(l => l && !l.startsWith('Not signed in.'));
  const numbers = new Map<TreeNode, number>();
  let at = 0;
  const next = (what: string, pattern: RegExp): RegExpMatchArray => {
    const m = lines[at]?.match(pattern);
    assert.ok(m, `expected ${what} at line ${at + 1} of the printed screen:\n${screen}`);
    at++;
    return m;
  };
  const numbered = (n: TreeNode, mark: string) => { if (mark.trim()) numbers.set(n, Number(mark)); };
  const walk = (n: TreeNode): ShownWidget | null => {
    if (!tree.visible(n)) return null;
    const name = n.attrs.name;
    switch (n.kind) {
      case 'label': {
        if (!String(n.attrs.text ?? '')) return { kind: 'label', attrs: { name, text: '' }, children: [] };
        const m = next(`label ${name}`, n.attrs.role === 'error' ? /^! (.*)$/ : n.attrs.role === 'heading' ? /^-- (.*) --$/ : /^(.*)$/);
        return { kind: 'label', attrs: { name, text: m[1] }, children: [] };
      }
      case 'textbox': {
        const m = next(`text box ${name}`, /^\[(\d+| )\] [^:]*: (.*)$/);
        numbered(n, m[1]);
        return { kind: 'textbox', attrs: { name, text: m[2] }, children: [] };
      }
      case 'button': {
        const m = next(`button ${name}`, /^\((\d+| )\) (.*?)( \(not available\))?$/);
        numbered(n, m[1]);
        return { kind: 'button', attrs: { name, text: m[2], enabled: !m[3] }, children: [] };
      }
      case 'listbox': {
        const items = n.children.filter(c => c.attrs.visible !== false).slice(n.attrs.role === 'transcript' ? -10 : 0);
        const children = items.map(item => {
          const m = next(`an entry of ${name}`, /^(\d+| )\. ([*-]) (.*)$/);
          numbered(item, m[1]);
          return { kind: 'item', attrs: { value: item.attrs.value, text: m[3], selected: m[2] === '*' }, children: [] };
        });
        return { kind: 'listbox', attrs: { name }, children };
      }
      default:
        return { kind: n.kind, attrs: { name }, children: n.children.map(walk).filter(c => c !== null) };
    }
  };
  const shown = tree.roots.map(root => {
    const m = next(`the ${root.kind}'s title`, /^== (.*) ==( \(answer with a number; cancel closes it\))?$/);
    assert.equal(Boolean(m[2]), root.kind === 'popup', `a ${root.kind} is printed as one`);
    return { kind: root.kind, attrs: { name: root.attrs.name, title: m[1] }, children: root.children.map(walk).filter(c => c !== null) };
  });
  assert.equal(at, lines.length, `the printed screen has lines no widget explains:\n${screen}`);
  return { shown, numbers };
}

/** `make` builds the driver, so that the mutation check can break it. */
export const lineHarness = (make: MakeLineDriver = o => new LineDriver(o)): MakeDriver => async (o = {}) => {
  const con = new Console(o.languages ?? ['en'], make);
  let session: Session<FixtureState>;
  let seen = 0;
  const settle = () => con.settle(session);
  const reading = async () => read(await con.screen(session), con.driver.tree);
  /** The number the screen gives the named widget (or entry `value` of the named list). */
  const numberOf = async (name: string, value?: string) => {
    const { numbers } = await reading();
    for (const [node, n] of numbers) {
      const named = value === undefined ? node : node.kind === 'item' && node.attrs.value === value ? node.parent : null;
      if (named?.attrs.name === name) return n;
    }
    assert.fail(`${name}${value ? ` entry ${value}` : ''} has no number on the screen`);
  };
  return {
    async start(app) {
      session = new Session(app, con.driver);
      await session.start({ name: 'tester', token: 'test-token' });
      return session;
    },
    settle,
    shown: async () => (await reading()).shown,
    /** What was printed since last asked, and the screen now. */
    async text() {
      await settle();
      const since = con.out.slice(seen);
      const now = await con.screen(session);
      seen = con.out.length;
      return since + now;
    },
    signInAsked: async () => (await con.screen(session)).includes('Not signed in'),
    async rebuilt() {
      const fresh = new Console(['en'], make);
      try {
        await fresh.driver.start({ event() {}, input() {}, authenticate() {} });
        for (const c of session.snapshot()) apply(fresh.driver, c);
        const live = await con.screen(session);
        const again = await fresh.screen();
        assert.equal(again, live, 'the rebuilt screen reads the same as the live one');
        return read(again, fresh.driver.tree).shown;
      } finally { await fresh.driver.stop(); }
    },
    async type(name, text) { con.type(`${await numberOf(name)} ${text}`); await settle(); },
    async submit(name) { con.type(String(await numberOf(name))); },
    async click(name) { con.type(String(await numberOf(name))); },
    async select(listbox, value) { con.type(`${await numberOf(listbox, value)} select`); },
    async activate(listbox, value) { con.type(String(await numberOf(listbox, value))); },
    async cancel() { con.type('cancel'); },
    async dispose() { await con.driver.stop(); },
  };
};
