// The driver conformance suite: what every front-end must do, checked on what it shows.
// Each driver's test file calls `conformance(name, harness)`; the harness starts a session of
// the fixture application on its driver, reads the screen back, and acts as the user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Application, Session } from '../../core/session.ts';
import type { ShownWidget } from '../../drivers/headless/driver.ts';
import { fixtureApp, type FixtureState } from '../support/fixture-app.ts';

export interface DriverUnderTest {
  /** Starts a session of `app`, signed in, shown by the driver under test. */
  start(app: Application<FixtureState>): Promise<Session<FixtureState>>;
  /** Waits until the session and the front-end have caught up with each other. */
  settle(): Promise<void>;
  /** What the user sees, in the driver-neutral form of HeadlessDriver.shown(). */
  shown(): Promise<ShownWidget[]>;
  /** What a fresh front-end shows once rebuilt from the session's snapshot (a reload). */
  rebuilt(): Promise<ShownWidget[]>;
  /** Every text a person can read now, as the front-end shows it (the page, the screen). */
  text(): Promise<string>;
  /** Whether the front-end shows that nobody is signed in. */
  signInAsked(): Promise<boolean>;
  /** Acts as the user, by widget name: type, submit (Enter), click, select or activate an item, press Esc. */
  type(name: string, text: string): Promise<void>;
  submit(name: string): Promise<void>;
  click(name: string): Promise<void>;
  select(listbox: string, value: string): Promise<void>;
  activate(listbox: string, value: string): Promise<void>;
  cancel(): Promise<void>;
  dispose(): Promise<void>;
}

const find = (ws: ShownWidget[], name: string): ShownWidget | undefined => {
  for (const w of ws) { if (w.attrs.name === name) return w; const hit = find(w.children, name); if (hit) return hit; }
  return undefined;
};
const itemTexts = async (d: DriverUnderTest) => find(await d.shown(), 'list')?.children.map(c => c.attrs.text);

type Register = (title: string, fn: () => Promise<void>) => void;
/** Builds a front-end under test; `languages`: the user's, as the front-end would report them. */
export type MakeDriver = (o?: { languages?: string[] }) => Promise<DriverUnderTest>;

/** Runs the suite under node:test, each case a test named after the driver. */
export function conformance(name: string, make: MakeDriver, options: { skip?: string } = {}) {
  cases(make, (title, fn) => test(`${name}: ${title}`, options, fn));
}

/** Runs every case once, outside node:test; returns the titles of those that failed. */
export async function failingCases(make: MakeDriver): Promise<string[]> {
  const all: [string, () => Promise<void>][] = [];
  cases(make, (title, fn) => all.push([title, fn]));
  const failed: string[] = [];
  for (const [title, fn] of all) {
    try { await withTimeout(fn(), 10_000); } catch { failed.push(title); }
  }
  return failed;
}

/** A broken driver may leave a case waiting for ever (an event that never comes): that is a failure. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}

function cases(make: MakeDriver, register: Register) {
  async function open() {
    const d = await make();
    const session = await d.start(await fixtureApp());
    await d.settle();
    return { d, session };
  }
  const run = async (session: Session<FixtureState>, d: DriverUnderTest, fn: () => unknown) => { await session.run(fn); await d.settle(); };

  register(`create, set, remove and clear show on screen`, async () => {
    const { d, session } = await open();
    try {
      assert.equal(find(await d.shown(), 'entry')?.kind, 'textbox');
      await run(session, d, () => session.set('status', 'text', 'hello there'));
      assert.equal(find(await d.shown(), 'status')?.attrs.text, 'hello there');
      await run(session, d, () => { session.add('list', { value: 'a', text: 'first' }); session.add('list', { value: 'c', text: 'third' }); });
      await run(session, d, () => session.add('list', { value: 'b', text: 'second' }, { before: 'c' }));
      assert.deepEqual(await itemTexts(d), ['first', 'second', 'third']);
      await run(session, d, () => session.removeItem('list', 'a'));
      assert.deepEqual(await itemTexts(d), ['second', 'third']);
      await run(session, d, () => session.remove('ask'));
      assert.equal(find(await d.shown(), 'ask'), undefined);
      await run(session, d, () => session.show('main'));      // clear, then the screen anew
      assert.deepEqual(await itemTexts(d), []);
      assert.equal(find(await d.shown(), 'ask')?.kind, 'button');
    } finally { await d.dispose(); }
  });

  register(`typing and clicks reach the session; sets never come back as events`, async () => {
    const { d, session } = await open();
    try {
      await run(session, d, () => { session.set('entry', 'text', 'from the server'); session.set('status', 'text', 'x'); });
      assert.equal(find(await d.shown(), 'entry')?.attrs.text, 'from the server');
      assert.deepEqual(session.state.seen, [], 'a set raised no event');
      await d.type('entry', 'typed');
      await d.click('add');
      await d.settle();
      assert.deepEqual(session.state.seen, ['typed']);
      assert.deepEqual(await itemTexts(d), ['typed']);
      assert.equal(find(await d.shown(), 'entry')?.attrs.text, '');
    } finally { await d.dispose(); }
  });

  register(`a popup is modal and answers the action that opened it`, async () => {
    const { d, session } = await open();
    try {
      await run(session, d, () => session.add('list', { value: 'a', text: 'first' }));
      await d.activate('list', 'a');
      await d.settle();
      let shown = await d.shown();
      assert.equal(shown.length, 2);
      assert.equal(shown[1].kind, 'popup');
      assert.equal(find(shown, 'question')?.attrs.text, 'Remove a?');
      await d.cancel();
      await d.settle();
      assert.deepEqual(session.state.answers, ['cancel']);
      assert.equal((await d.shown()).length, 1);
      await d.activate('list', 'a');
      await d.settle();
      await d.click('yes');
      await d.settle();
      assert.deepEqual(session.state.answers, ['cancel', 'yes']);
      shown = await d.shown();
      assert.equal(shown.length, 1);
      assert.deepEqual(find(shown, 'list')?.children, []);
    } finally { await d.dispose(); }
  });

  register(`a refusal is shown to the user, and nobody signed in is shown until someone is`, async () => {
    const { d, session } = await open();
    try {
      await run(session, d, () => session.driver.error('internal', 'Something broke, sorry'));
      assert.ok((await d.text()).includes('Something broke, sorry'), 'the refusal is shown');
      await run(session, d, () => session.signOut());
      assert.equal(await d.signInAsked(), true, 'signed out: the front-end says nobody is signed in');
      await run(session, d, () => session.signIn({ name: 'again', token: 'again-token' }));
      assert.equal(await d.signInAsked(), false, 'signed in again: it no longer says so');
    } finally { await d.dispose(); }
  });

  register(`an entry shows its parts, and a hidden widget shows nothing`, async () => {
    const { d, session } = await open();
    try {
      await run(session, d, () => session.add('list', { value: 'p', text: 'with its parts', author: 'annika', time: '09:47', mine: true }));
      const shown = await d.text();
      for (const part of ['with its parts', 'annika', '09:47']) assert.ok(shown.includes(part), `${part} is shown`);
      await run(session, d, () => session.set('status', 'text', 'now you see me'));
      assert.ok((await d.text()).includes('now you see me'));
      await run(session, d, () => session.set('status', 'visible', false));
      assert.ok(!(await d.text()).includes('now you see me'), 'hidden, it shows nothing');
    } finally { await d.dispose(); }
  });

  register(`Enter in a text box submits it, and picking an entry selects it`, async () => {
    const { d, session } = await open();
    try {
      await d.type('entry', 'sent with enter');
      await d.submit('entry');
      await d.settle();
      assert.deepEqual(session.state.seen, ['sent with enter']);
      await run(session, d, () => session.add('list', { value: 'b', text: 'pick me' }));
      await d.select('list', 'b');
      await d.settle();
      assert.ok((await d.text()).includes('picked b'), 'the select action ran and its answer is shown');
      assert.deepEqual(session.state.answers, [], 'selecting is not activating');
    } finally { await d.dispose(); }
  });

  register(`the front-end's languages choose the session's`, async () => {
    const d = await make({ languages: ['ru-RU', 'en'] });
    const session = await d.start(await fixtureApp());
    try {
      await d.settle();
      assert.equal(session.language, 'ru');
      assert.ok((await d.text()).includes('Отправить'), 'the button is shown in Russian');
    } finally { await d.dispose(); }
  });

  register(`past max-items a list drops its first entries by itself`, async () => {
    const { d, session } = await open();
    try {
      const sent = (): number => (session.driver as { log?: unknown[] }).log?.length ?? 0;
      await run(session, d, () => session.set('list', 'max-items', 3));
      await run(session, d, () => { for (const v of ['a', 'b', 'c', 'd', 'e']) session.add('list', { value: v, text: `entry ${v}` }); });
      assert.deepEqual(await itemTexts(d), ['entry c', 'entry d', 'entry e']);
      assert.deepEqual(session.items('list'), ['c', 'd', 'e']);
      const before = sent();
      await run(session, d, () => session.add('list', { value: 'f', text: 'entry f' }));
      assert.deepEqual(await itemTexts(d), ['entry d', 'entry e', 'entry f']);
      if (before) assert.equal(sent() - before, 1, 'one command: the new entry, no delete');
      assert.deepEqual(await d.rebuilt(), await d.shown());
    } finally { await d.dispose(); }
  });

  register(`a rebuild from the snapshot equals the live front-end`, async () => {
    const { d, session } = await open();
    try {
      await run(session, d, () => { for (const v of ['a', 'b', 'c']) session.add('list', { value: v, text: `item ${v}`, author: 'me', time: '09:30', mine: v === 'b' }); });
      await d.type('entry', 'half-typed');
      await d.activate('list', 'b');
      await d.settle();
      const live = await d.shown();
      assert.equal(live.length, 2, 'the popup is open');
      assert.deepEqual(await d.rebuilt(), live);
    } finally { await d.dispose(); }
  });
}
