// The terminal driver on a virtual terminal: hostile text, wide characters, resize, repaints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../core/session.ts';
import { BlessedDriver } from '../../drivers/tui/driver.ts';
import { languagesFromEnv } from '../../core/i18n.ts';
import { width } from '../../drivers/tui/text.ts';
import { fixtureApp } from '../support/fixture-app.ts';
import { VirtualTerminal } from '../support/vt.ts';

async function open(cols = 80, rows = 24) {
  const vt = new VirtualTerminal(cols, rows);
  const driver = new BlessedDriver({ screen: vt.screen, languages: ['en'] });
  const session = new Session(await fixtureApp(), driver);
  await session.start({ name: 't', token: 't' });
  const settle = async () => { await session.whenIdle(); driver.flush(); await vt.drawn(); };
  await settle();
  return { vt, driver, session, settle };
}

test('escape sequences and blessed tags from the server show as plain, harmless text', async () => {
  const { vt, session, settle } = await open();
  const hostile = '\x1b]2;pwned\x07\x1b[2J{bold}x{/bold}\x9b31m';
  await session.run(() => { session.add('list', { value: 'm', text: hostile, author: 'mallory\x1b[5m', time: '09:00' }); session.set('status', 'text', '{red-fg}status{/red-fg}\x1b[1A'); });
  await settle();
  const screen = vt.text();
  assert.match(screen, /09:00 mallory: \{bold\}x\{\/bold\} /, 'the 8-bit CSI (\\x9b31m) is gone too');
  assert.match(screen, /\{red-fg\}status\{\/red-fg\}/);
  assert.ok(!vt.raw.includes('\x1b]2;'), 'no title was set');
  assert.ok(!vt.raw.includes('pwned'), 'the OSC string never reached the terminal');
  assert.ok(screen.includes('Send'), 'the screen was not cleared');
  vt.destroy();
});

test('wide characters line up: borders stay in one column', async () => {
  const { vt, session, settle } = await open(60, 20);
  await session.run(() => {
    session.add('list', { value: 'a', text: '中文对齐，宽字符占两列', author: '李雷', time: '09:01' });
    session.add('list', { value: 'b', text: 'plain ascii line', author: 'bob', time: '09:02' });
  });
  await settle();
  const lines = vt.lines().filter(l => l.includes('09:0'));
  assert.equal(lines.length, 2);
  const borderAt = (l: string) => width(l.slice(0, l.lastIndexOf('│')));
  assert.equal(borderAt(lines[0]), borderAt(lines[1]));
  assert.equal(borderAt(lines[0]), 59);
  vt.destroy();
});

test('the layout re-flows when the terminal is resized', async () => {
  const { vt, settle } = await open(80, 24);
  const askRow = () => vt.lines().findIndex(l => l.includes('[ Ask ]'));
  const before = askRow();
  vt.resize(50, 40);
  await new Promise(r => setTimeout(r, 600));      // blessed waits for resizing to stop
  await settle();
  assert.ok(askRow() > before, 'with more rows, the list grows and what follows moves down');
  assert.ok(vt.lines().every(l => width(l) <= 50));
  vt.destroy();
});

test('a burst of commands makes one repaint per frame, not one per command', async () => {
  const { vt, driver, session, settle } = await open();
  const before = driver.paints;
  await session.run(() => { for (let i = 0; i < 200; i++) session.add('list', { value: `i${i}`, text: `item ${i}` }); });
  await new Promise(r => setTimeout(r, 100));
  await settle();
  assert.ok(driver.paints - before <= 3, `${driver.paints - before} repaints for 200 commands`);
  assert.ok(vt.text().includes('item 199'), 'the list follows the newest entry');
  vt.destroy();
});

test('the language comes from LANGUAGE, LC_ALL, LC_MESSAGES and LANG', () => {
  assert.deepEqual(languagesFromEnv({ LANG: 'ru_RU.UTF-8' }), ['ru-RU']);
  assert.deepEqual(languagesFromEnv({ LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }), ['zh-CN']);
  assert.deepEqual(languagesFromEnv({ LC_MESSAGES: 'de_DE', LANG: 'en_US' }), ['de-DE']);
  assert.deepEqual(languagesFromEnv({ LANGUAGE: 'fr:ru', LANG: 'en_US.UTF-8' }), ['fr', 'ru', 'en-US']);
  assert.deepEqual(languagesFromEnv({ LANGUAGE: 'fr', LANG: 'C' }), []);
});

test('the mouse: a click on a button clicks it; on an entry selects it, and again activates it', async () => {
  const { vt, session, settle } = await open(80, 24);
  const at = (text: string) => {
    const y = vt.lines().findIndex(l => l.includes(text));
    assert.ok(y >= 0, `${text} is not on screen`);
    return { x: vt.lines()[y].indexOf(text) + 2, y };
  };
  // SGR mouse reports, 1-based: press, then release of the left button, as separate reads
  // (blessed takes one report per read, as terminals send them).
  const click = async ({ x, y }: { x: number; y: number }) => {
    vt.send(`\x1b[<0;${x + 1};${y + 1}M`);
    await new Promise(r => setTimeout(r, 10));
    vt.send(`\x1b[<0;${x + 1};${y + 1}m`);
  };
  await session.run(() => { session.add('list', { value: 'a', text: 'apple' }); session.add('list', { value: 'b', text: 'banana' }); });
  await settle();
  await click(at('[ Ask ]'));
  await new Promise(r => setTimeout(r, 50));
  await settle();
  assert.ok(vt.text().includes('Sure?'), 'the popup the button opens');
  await click(at('[ No ]'));
  await new Promise(r => setTimeout(r, 50));
  await settle();
  assert.deepEqual(session.state.answers, ['no']);
  await click(at('banana'));
  await new Promise(r => setTimeout(r, 50));
  await settle();
  assert.equal(session.get('status', 'text'), 'picked b', 'the first click selects');
  await click(at('banana'));
  await new Promise(r => setTimeout(r, 50));
  await settle();
  assert.ok(vt.text().includes('Remove b?'), 'the second click activates');
  vt.destroy();
});

test('Alt+Enter (ESC CR in one read) and Ctrl+J make a new line in a multiline box; Enter sends; Esc alone still cancels', async () => {
  const { vt, session, settle } = await open();
  await session.run(() => session.set('entry', 'multiline', true));
  await settle();
  vt.send('one'); vt.send('\x1b\r'); vt.send('two'); vt.send('\n'); vt.send('three'); vt.send('\r');
  await settle();
  assert.deepEqual(session.state.seen, ['one\ntwo\nthree']);
  // Esc alone (its own read) still answers a popup with cancel.
  await session.run(async () => { void session.popup('confirm', { question: { text: 'Sure?' } }).then(a => session.state.answers.push(a)); });
  await settle();
  vt.send('\x1b');
  await settle();
  await new Promise(r => setImmediate(r));
  await settle();
  assert.deepEqual(session.state.answers, ['cancel']);
  vt.send('x'); vt.send('\r');
  await settle();
  assert.deepEqual(session.state.seen, ['one\ntwo\nthree', 'x']);
  vt.destroy();
});
