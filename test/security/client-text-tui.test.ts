// Hostile and long text in the terminal driver, drawn on a virtual terminal and in tmux (issue 10,
// items 10 and 11): lines with combining marks keep their end, invisible controls are not drawn, and the
// line editor counts near max-length, never cuts, and moves and deletes whole characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../core/session.ts';
import { BlessedDriver } from '../../drivers/tui/driver.ts';
import { fixtureApp } from '../support/fixture-app.ts';
import { Tmux, tmuxMissing } from '../support/tmux.ts';
import { KEY, VirtualTerminal } from '../support/vt.ts';

async function open(cols: number, rows: number) {
  const vt = new VirtualTerminal(cols, rows);
  const driver = new BlessedDriver({ screen: vt.screen, languages: ['en'] });
  const session = new Session(await fixtureApp(), driver);
  await session.start({ name: 't', token: 't' });
  const settle = async () => { await session.whenIdle(); driver.flush(); await vt.drawn(); };
  await settle();
  return { vt, session, settle };
}

/** The rows of the list box (the tallest bordered box), without its borders. */
function listRows(vt: VirtualTerminal): string[] {
  const lines = vt.lines();
  const top = lines.findIndex((l, i) => l.startsWith('┌') && lines[i + 2]?.startsWith('│'));
  const bottom = lines.findIndex((l, i) => i > top + 2 && l.startsWith('└'));
  return lines.slice(top + 1, bottom);
}

/** The screen's cell at (x, y): what it shows and whether it is drawn in red. */
function cell(vt: VirtualTerminal, x: number, y: number) {
  const c = vt.term.buffer.active.getLine(vt.term.buffer.active.viewportY + y)!.getCell(x)!;
  return { chars: c.getChars(), red: c.isFgPalette() && c.getFgColor() === 1 };
}

test('a line after a name with 24 combining marks keeps its end; bidi and zero-width controls are not drawn', async () => {
  const { vt, session, settle } = await open(60, 24);
  const words = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen END';
  await session.run(() => {
    session.add('list', { value: 'a', author: `z${'\u0301'.repeat(24)}`, time: '09:00', text: words });
    session.add('list', { value: 'b', author: 'bob', time: '09:01', text: `tower Z${'\u0316'.repeat(1000)} then the end of the line` });
    session.add('list', { value: 'c', author: 'eve', time: '09:02', text: 'abc\u202Edef\u2067ghi\u2069jkl\u200Bmno\uFEFFpqr' });
    session.set('status', 'text', `Z${'\u0316'.repeat(1000)} status`);
  });
  await settle();
  const rows = listRows(vt);
  const shown = rows.map(r => r.slice(1, -1).replace(/\p{M}/gu, '').trim()).join(' ');
  assert.ok(shown.includes(`09:00 z: ${words}`), `every word of the line is on screen:\n${rows.join('\n')}`);
  assert.ok(shown.includes('09:01 bob: tower Z then the end of the line'), `the line after a tower of marks is whole:\n${rows.join('\n')}`);
  assert.ok(shown.includes('09:02 eve: abcdefghijklmnopqr'), 'the text around the controls is in order');
  assert.equal(vt.lines()[0].replace(/\p{M}/gu, '').trim(), 'Z status', 'a label with a tower of marks');
  assert.ok(vt.lines()[1].startsWith('┌'), 'is laid out as the one line it is drawn in');
  for (let y = 0; y < vt.rows - 1; y++) {
    if (vt.lines()[y].startsWith('│')) assert.equal(cell(vt, vt.cols - 1, y).chars, '│', `the right border of row ${y} stays in its column`);
  }
  for (const control of ['\u202E', '\u2067', '\u2069', '\u200B', '\uFEFF']) assert.ok(!vt.raw.includes(control), `U+${control.codePointAt(0)!.toString(16)} never reaches the terminal`);
  assert.ok(!vt.raw.includes('\u0316'.repeat(4)), 'at most three marks are drawn on one letter');
  vt.destroy();
});

test('the line editor counts near max-length, never cuts, and moves and deletes whole characters', async () => {
  const { vt, session, settle } = await open(60, 16);
  const countAt = () => vt.lines()[1].match(/(\d+) \/ 20 /)?.[1];    // the entry box is the first
  vt.send('abcdefghijklmnop');                                          // max-length 20: 16 is far
  await settle();
  assert.equal(countAt(), undefined, 'far from the limit there is no count');
  vt.send('q😀');                                                       // 18 characters, 19 UTF-16 units
  await settle();
  assert.equal(countAt(), '18');
  assert.equal(cell(vt, vt.lines()[1].indexOf('18 / 20'), 1).red, false);
  vt.send('e\u0301xyz');                                                // é as e + a combining mark
  await settle();
  assert.equal(countAt(), '23', 'counted in code points, past the limit');
  assert.equal(cell(vt, vt.lines()[1].indexOf('23 / 20'), 1).red, true, 'past the limit the count is red');
  vt.send(KEY.enter);
  await settle();
  assert.deepEqual(session.state.seen, ['abcdefghijklmnopq😀e\u0301xyz'], 'the text went out whole: no cut at max-length');

  // The session empties the box: type again and edit across the pair and the mark.
  vt.send('q😀e\u0301xyz');
  await settle();
  vt.send(KEY.left + KEY.left + KEY.left + KEY.left);                   // over z, y, x, then é whole
  vt.send(KEY.backspace);                                               // the whole emoji, not half of it
  vt.send('\x1b[3~');                                                   // Delete: é with its mark
  vt.send(KEY.right + KEY.backspace);                                   // over x; deletes x
  await settle();
  vt.send(KEY.enter);
  await settle();
  assert.deepEqual(session.state.seen[1], 'qyz');
  vt.destroy();
});

test('in a real terminal (tmux) too, a line after a name with 24 combining marks keeps its end', { skip: tmuxMissing() }, async () => {
  const words = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen END';
  const items = [
    { author: `z${'\u0301'.repeat(24)}`, time: '09:00', text: words },
    { author: 'bob', time: '09:01', text: 'the next line' },
  ];
  const tm = new Tmux('node --import tsx test/support/tui-fixture.ts', 60, 24, { PALAVER_ITEMS: JSON.stringify(items) });
  try {
    const screen = await tm.waitFor(sc => sc.includes('the next line'), 'the list');
    const rows = screen.split('\n').filter(l => l.startsWith('│'));
    const shown = rows.map(r => r.slice(1, -1).replace(/\p{M}/gu, '').trim()).join(' ');
    assert.ok(shown.includes(`09:00 z: ${words}`), `every word of the line is on screen:\n${screen}`);
    for (const r of rows) assert.ok(r.trimEnd().endsWith('│'), `the right border stays: ${r}`);
    tm.press('C-c');
  } finally {
    tm.kill();
  }
});
