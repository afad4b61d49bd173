import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply } from '../../core/commands.ts';
import { HeadlessDriver } from '../../drivers/headless/driver.ts';
import { startFixture } from '../support/fixture-app.ts';

test('1,000 events queued at once are handled one at a time, in order', async () => {
  const { driver, session } = await startFixture();
  for (let i = 0; i < 1000; i++) { driver.type('entry', `m${i}`); driver.click('add'); }
  await session.whenIdle();
  assert.deepEqual(session.state.seen, Array.from({ length: 1000 }, (_, i) => `m${i}`));
  assert.deepEqual(driver.items('list').map(a => a.text), session.state.seen);
  assert.equal(driver.text('entry'), '');
});

test('a popup is modal: only its widgets take events, and its answer reaches the action', async () => {
  const { driver, session } = await startFixture();
  driver.type('entry', 'hello'); driver.click('add');
  await session.whenIdle();
  driver.activate('list', 'i1');
  await session.whenIdle();
  assert.equal(driver.popup?.attrs.name, 'confirm');
  assert.equal(driver.text('question'), 'Remove i1?');

  driver.click('add');                       // beneath the popup: refused, nothing added
  await session.whenIdle();
  assert.deepEqual(driver.errors.map(e => e.code), ['modal']);
  assert.equal(driver.items('list').length, 1);

  driver.click('yes');
  await session.whenIdle();
  assert.equal(driver.popup, undefined);
  assert.deepEqual(session.state.answers, ['yes']);
  assert.deepEqual(driver.items('list'), []);
});

test('Esc answers a popup with cancel; nested popups answer innermost first', async () => {
  const { driver, session } = await startFixture();
  driver.click('ask');
  await session.whenIdle();
  driver.click('nested');
  await session.whenIdle();
  assert.equal(driver.tree.roots.length, 3);
  driver.click('yes');                        // resolves to the top popup's yes
  await session.whenIdle();
  driver.cancel();
  await session.whenIdle();
  assert.deepEqual(session.state.answers, ['yes', 'cancel']);
  assert.equal(driver.tree.roots.length, 1);
});

test('tasks keep running beneath an open popup', async () => {
  const { driver, session } = await startFixture();
  driver.click('ask');
  await session.whenIdle();
  session.post(ui => ui.add('list', { value: 'pushed', text: 'from the server' }));
  await session.whenIdle();
  assert.deepEqual(driver.items('list').map(a => a.value), ['pushed']);
  assert.equal(driver.popup?.attrs.name, 'confirm');
});

test('a widget can remove itself from its own handler', async () => {
  const { driver, session, errors } = await startFixture();
  driver.click('self-destruct');
  await session.whenIdle();
  assert.equal(driver.has('self-destruct'), false);
  assert.deepEqual(errors, []);
});

test('events for missing, disabled or unbound widgets are refused and the session lives on', async () => {
  const { driver, session } = await startFixture();
  driver.sendRaw({ id: 'w999', name: 'click', state: {} });
  driver.sendRaw({ id: driver.find('disabled').id, name: 'click', state: {} });
  driver.sendRaw({ id: driver.find('status').id, name: 'click', state: {} });
  await session.whenIdle();
  assert.deepEqual(driver.errors.map(e => e.code), ['no-such-widget', 'disabled', 'not-bound']);
  driver.type('entry', 'still alive'); driver.click('add');
  await session.whenIdle();
  assert.deepEqual(session.state.seen, ['still alive']);
});

test('sets never come back as events, and typed text is held without an event', async () => {
  const { driver, session } = await startFixture();
  session.post(ui => ui.set('entry', 'text', 'set by server'));
  await session.whenIdle();
  assert.deepEqual(session.state.seen, []);
  driver.type('entry', 'typed, not sent');
  await session.whenIdle();
  assert.equal(session.get('entry', 'text'), 'typed, not sent');
  assert.equal(driver.log.filter(c => c.op === 'set' && c.attr === 'text' && c.value === 'typed, not sent').length, 0);
});

test('typed text longer than max-length is kept whole up to twice max-length (code points): the application refuses it, nothing is cut silently', async () => {
  const { driver, session } = await startFixture();
  driver.type('entry', '😀'.repeat(40));   // max-length 20
  await session.whenIdle();
  assert.equal(session.get('entry', 'text'), '😀'.repeat(40));
  driver.type('entry', '😀'.repeat(41));
  await session.whenIdle();
  assert.equal(session.get('entry', 'text'), '😀'.repeat(40), 'a longer draft keeps the previous one');
});

test('event names are looked up as data: constructor, __proto__ and toString find no binding', async () => {
  const { driver, session, errors } = await startFixture();
  const add = driver.find('add').id;
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) driver.sendRaw({ id: add, name, state: {} });
  driver.sendRaw({ id: add, name: 'click', state: JSON.parse('{"__proto__": "x", "constructor": "y"}') });
  await session.whenIdle();
  assert.deepEqual(driver.errors.map(e => e.code), ['not-bound', 'not-bound', 'not-bound', 'not-bound', 'not-bound']);
  assert.deepEqual(errors, [], 'no action threw');
  assert.deepEqual(session.state.seen, [''], 'the honest click still ran');
});

test('a hidden widget, or one inside a hidden container, takes no events', async () => {
  const { driver, session } = await startFixture();
  session.post(ui => ui.set('add', 'visible', false));
  await session.whenIdle();
  driver.sendRaw({ id: driver.find('add').id, name: 'click', state: {} });
  await session.whenIdle();
  assert.deepEqual(driver.errors.map(e => e.code), ['disabled']);
  assert.deepEqual(session.state.seen, []);
});

test('a snapshot rebuilds the live tree exactly, popup and typed text included', async () => {
  const { driver, session } = await startFixture();
  for (const t of ['a', 'b', 'c']) { driver.type('entry', t); driver.click('add'); }
  session.post(ui => ui.add('list', { value: 'first', text: 'inserted first' }, { before: 'i1' }));
  await session.whenIdle();
  driver.activate('list', 'i2');
  await session.whenIdle();
  driver.type('entry', 'half-typed');
  await session.whenIdle();

  const rebuilt = new HeadlessDriver();
  for (const c of session.snapshot()) apply(rebuilt, c);
  assert.deepEqual(rebuilt.shown(), driver.shown());
  assert.equal(rebuilt.popup?.attrs.name, 'confirm');
  assert.equal(rebuilt.text('entry'), 'half-typed');
  assert.deepEqual(rebuilt.items('list').map(a => a.value), ['first', 'i1', 'i2', 'i3']);
});

test('the language is the first of the driver\'s that Palaver has; missing strings show in English', async () => {
  const { driver } = await startFixture(['de-DE', 'ru-RU', 'en']);
  assert.equal(driver.text('add'), 'Отправить');
  assert.equal(driver.tree.roots[0].attrs.title, 'Палавер');
  assert.equal(driver.text('ask'), 'Ask');
});

test('a flood of events is refused past the bound, and the session lives on', async () => {
  const { driver, session } = await startFixture();
  const add = driver.find('add').id;
  for (let i = 0; i < 10_050; i++) driver.sendRaw({ id: add, name: 'click', state: {} });
  assert.equal(driver.errors.filter(e => e.code === 'busy').length, 50);
  await session.whenIdle();
  assert.equal(session.state.seen.length, 10_000);
  driver.type('entry', 'after the flood'); driver.click('add');
  await session.whenIdle();
  assert.equal(session.state.seen.at(-1), 'after the flood');
});

test('a popup given init for a widget it does not have is refused as an authoring error, and nothing opens', async () => {
  const { driver, session, errors } = await startFixture();
  let outcome = '';
  await session.run(async () => {
    const opened = session.popup('confirm', { questoin: { text: 'typo' } });
    outcome = await Promise.race([opened.then(() => 'answered', (e: Error) => e.message), new Promise<string>(r => setImmediate(() => r('opened')))]);
  });
  assert.equal(outcome, 'popup confirm has no widget named questoin (in its init)');
  assert.equal(driver.popup, undefined);
  assert.deepEqual(errors, []);
});

test('an entry may carry only its list\'s parts, typed by role, and a role only the vocabulary\'s', async () => {
  const { driver, session } = await startFixture();
  await session.run(() => {
    session.add('list', { value: 'a', text: 'hi', author: 'ann', mine: true });
    assert.throws(() => session.add('list', { value: 'b', text: 'x', colour: 'red' }), /item has no attribute colour \(declare it as a part of the list\)/);
    assert.throws(() => session.add('list', { value: 'c', text: 'x', mine: 'yes' }), /wrong type for item mine/);
  });
  assert.deepEqual(driver.items('list').map(i => i.author), ['ann']);
  assert.deepEqual({ ...driver.tree.named('list')?.parts }, { author: 'byline', time: 'timestamp', mine: 'own', system: 'announcement' });
  assert.throws(() => session.set('status', 'role', 'shiny'), /unknown role shiny/);
});
