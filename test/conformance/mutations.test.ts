// The suite must catch a broken driver: each mutant below breaks the reference driver in one way
// a real front-end could, and at least one case of the suite must fail on it. A suite that passes
// a driver which draws nothing would prove nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventSink } from '../../core/driver.ts';
import { HeadlessDriver } from '../../drivers/headless/driver.ts';
import { headlessHarness } from './headless-harness.ts';
import { failingCases } from './suite.ts';

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

test('the unbroken reference driver passes every case', async () => {
  assert.deepEqual(await failingCases(headlessHarness()), []);
});

for (const [what, make] of Object.entries(MUTANTS)) {
  test(`a driver that ${what} fails the suite`, async () => {
    const failed = await failingCases(headlessHarness(make));
    assert.ok(failed.length > 0, `every case passed a driver that ${what}`);
  });
}
