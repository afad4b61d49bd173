// The driver conformance suite: what every front-end must do, checked on what it shows.
// Each driver's test file calls `conformance(name, factory)` with a way to build the driver
// and to act on it as a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply } from '../../core/commands.ts';
import type { Driver, EventSink } from '../../core/driver.ts';
import { Session } from '../../core/session.ts';
import type { ShownWidget } from '../../drivers/headless/driver.ts';
import { fixtureApp, type FixtureState } from '../support/fixture-app.ts';

export interface DriverUnderTest {
  driver: Driver;
  /** What the user sees, in the driver-neutral form of HeadlessDriver.shown(). */
  shown(): Promise<ShownWidget[]>;
  /** Acts as the user: type into, click, activate an item, press Esc. By widget name. */
  type(name: string, text: string): Promise<void>;
  click(name: string): Promise<void>;
  activate(listbox: string, value: string): Promise<void>;
  cancel(): Promise<void>;
  dispose(): Promise<void>;
}

export function conformance(name: string, make: () => Promise<DriverUnderTest>) {
  /** Starts a session on a driver whose event sink is wrapped to count what it reports. */
  async function open() {
    const d = await make();
    const events: string[] = [];
    const start = d.driver.start.bind(d.driver);
    d.driver.start = (sink: EventSink) => start({
      event: e => { events.push(e.name); sink.event(e); },
      input: (id, v) => sink.input(id, v),
    });
    const session = new Session<FixtureState>(await fixtureApp(), d.driver);
    await session.start({ name: 'tester', token: 'test-token' });
    await session.whenIdle();
    return { d, session, events };
  }

  const names = (ws: ShownWidget[]): string[] => ws.flatMap(w => [String(w.attrs.name ?? w.kind), ...names(w.children)]);
  const find = (ws: ShownWidget[], name: string): ShownWidget | undefined => {
    for (const w of ws) { if (w.attrs.name === name) return w; const hit = find(w.children, name); if (hit) return hit; }
    return undefined;
  };

  test(`${name}: create, set, remove and clear show on screen`, async () => {
    const { d, session } = await open();
    try {
      assert.ok(names(await d.shown()).includes('entry'));
      await session.run(() => session.set('status', 'text', 'hello there'));
      assert.equal(find(await d.shown(), 'status')?.attrs.text, 'hello there');
      await session.run(() => { session.add('list', { value: 'a', text: 'first' }); session.add('list', { value: 'b', text: 'second' }); });
      assert.deepEqual(find(await d.shown(), 'list')?.children.map(c => c.attrs.text), ['first', 'second']);
      await session.run(() => session.removeItem('list', 'a'));
      assert.deepEqual(find(await d.shown(), 'list')?.children.map(c => c.attrs.text), ['second']);
      await session.run(() => session.remove('ask'));
      assert.equal(find(await d.shown(), 'ask'), undefined);
      d.driver.clear();
      assert.deepEqual(await d.shown(), []);
    } finally { await d.dispose(); }
  });

  test(`${name}: a user's typing and clicks reach the session; sets never come back as events`, async () => {
    const { d, session, events } = await open();
    try {
      await session.run(() => { session.set('entry', 'text', 'from the server'); session.set('status', 'text', 'x'); });
      await session.whenIdle();
      assert.deepEqual(events, []);
      await d.type('entry', 'typed');
      await d.click('add');
      await session.whenIdle();
      assert.deepEqual(session.state.seen, ['typed']);
      assert.deepEqual(events, ['click']);
      assert.deepEqual(find(await d.shown(), 'list')?.children.map(c => c.attrs.text), ['typed']);
    } finally { await d.dispose(); }
  });

  test(`${name}: a popup is modal and answers the action that opened it`, async () => {
    const { d, session } = await open();
    try {
      await session.run(() => session.add('list', { value: 'a', text: 'first' }));
      await d.activate('list', 'a');
      await session.whenIdle();
      const shown = await d.shown();
      assert.equal(shown.length, 2);
      assert.equal(shown[1].kind, 'popup');
      assert.equal(find(shown, 'question')?.attrs.text, 'Remove a?');
      await d.cancel();
      await session.whenIdle();
      assert.deepEqual(session.state.answers, ['cancel']);
      assert.equal((await d.shown()).length, 1);
      await d.activate('list', 'a');
      await session.whenIdle();
      await d.click('yes');
      await session.whenIdle();
      assert.deepEqual(session.state.answers, ['cancel', 'yes']);
      assert.deepEqual(find(await d.shown(), 'list')?.children, []);
    } finally { await d.dispose(); }
  });

  test(`${name}: a rebuild from the snapshot equals the live front-end`, async () => {
    const { d, session } = await open();
    const fresh = await make();
    try {
      await session.run(() => { for (const v of ['a', 'b', 'c']) session.add('list', { value: v, text: `item ${v}`, author: 'me', mine: v === 'b' }); });
      await d.activate('list', 'b');
      await session.whenIdle();
      await fresh.driver.start({ event() {}, input() {} });
      for (const c of session.snapshot()) apply(fresh.driver, c);
      assert.deepEqual(await fresh.shown(), await d.shown());
    } finally { await d.dispose(); await fresh.dispose(); }
  });
}
