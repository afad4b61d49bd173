// The suite must catch a broken driver: each mutant below breaks the reference driver in one way
// a real front-end could, and at least one case of the suite must fail on it. A suite that passes
// a driver which draws nothing would prove nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { EventSink } from '../../core/driver.ts';
import { HeadlessDriver } from '../../drivers/headless/driver.ts';
import { LineDriver } from '../../drivers/line/driver.ts';
import { headlessHarness } from './headless-harness.ts';
import { lineHarness, type MakeLineDriver } from './line-harness.ts';
import { failingCases, type MakeDriver } from './suite.ts';

const IGNORED: EventSink = { event() {}, input() {}, authenticate() {} };

const MUTANTS: Record<string, () => HeadlessDriver> = {
  'drops set': () => new (class extends HeadlessDriver { override set() {} })(),
  'ignores delete': () => new (class extends HeadlessDriver { override remove() {} })(),
  'never fires events': () => new (class extends HeadlessDriver { override async start() { await super.start(IGNORED); } })(),
  'draws nothing': () => new (class extends HeadlessDriver { override create() {} override set() {} override remove() {} })(),
  'ignores forbidden': () => new (class extends HeadlessDriver { override forbidden() {} })(),
  'ignores error': () => new (class extends HeadlessDriver { override error() {} })(),
  'drops entry parts': () => new (class extends HeadlessDriver {
    override create(w: Parameters<HeadlessDriver['create']>[0]) { super.create(w.kind === 'item' ? { ...w, attrs: { value: w.attrs.value ?? null, text: w.attrs.text ?? null } } : w); }
  })(),
};

/** The same breakages in the line client, whose harness reads what it prints. */
const LINE_MUTANTS: Record<string, MakeLineDriver> = {
  'drops set': o => new (class extends LineDriver { override set() {} })(o),
  'ignores delete': o => new (class extends LineDriver { override remove() {} })(o),
  'never fires events': o => new (class extends LineDriver { override async start() { await super.start(IGNORED); } })(o),
  'prints nothing': o => new LineDriver({ ...o, output: new Writable({ write: (_c, _e, done) => done() }) }),
  'ignores forbidden': o => new (class extends LineDriver { override forbidden() {} })(o),
  'ignores error': o => new (class extends LineDriver { override error() {} })(o),
  'drops entry parts': o => new (class extends LineDriver {
    override create(w: Parameters<LineDriver['create']>[0]) { super.create(w.kind === 'listbox' ? { ...w, parts: undefined } : w); }
  })(o),
};

const harnesses: [string, () => MakeDriver, Record<string, () => MakeDriver>][] = [
  ['reference', () => headlessHarness(), Object.fromEntries(Object.entries(MUTANTS).map(([what, make]) => [what, () => headlessHarness(make)]))],
  ['line', () => lineHarness(), Object.fromEntries(Object.entries(LINE_MUTANTS).map(([what, make]) => [what, () => lineHarness(make)]))],
];

for (const [driver, unbroken, mutants] of harnesses) {
  test(`the unbroken ${driver} driver passes every case`, async () => {
    assert.deepEqual(await failingCases(unbroken()), []);
  });

  for (const [what, broken] of Object.entries(mutants)) {
    test(`a ${driver} driver that ${what} fails the suite`, async () => {
      const failed = await failingCases(broken());
      assert.ok(failed.length > 0, `every case passed a ${driver} driver that ${what}`);
    });
  }
}
