// How the terminal draws a list, as pure functions: entry lines by part role, styling, scrolling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entryLines, scrollFor, styledLines } from '../../drivers/tui/list.ts';

const message = { text: 'hello there', byline: 'ann', timestamp: '09:30', own: false, announcement: false };

test('an entry is drawn from its parts by role: a message, an announcement, plain text', () => {
  assert.deepEqual(entryLines(message, 40), { lines: ['09:30 ann: hello there'], prefix: '09:30 ann: ' });
  assert.deepEqual(entryLines({ ...message, byline: undefined, announcement: true, text: '* bob has joined' }, 40), { lines: ['* bob has joined  09:30'] });
  assert.deepEqual(entryLines({ text: 'general', own: false, announcement: false }, 40), { lines: ['general'] });
  const styled = styledLines({ ...message, own: true }, entryLines(message, 40), 'focused');
  assert.equal(styled[0], '{inverse}{gray-fg}09:30{/gray-fg} {green-fg}{bold}ann{/bold}{/green-fg}: hello there{/inverse}');
  assert.equal(styledLines(message, { lines: ['{bold}x'] }, null)[0], '{open}bold{close}x', 'text is escaped, never markup');
});

test('scrolling follows the newest at the bottom, stays put when scrolled up, and brings a selection into view', () => {
  assert.deepEqual(scrollFor(100, 10, 0, true, null), { scroll: 90, follow: true });
  assert.deepEqual(scrollFor(100, 10, 40, false, null), { scroll: 40, follow: false });
  assert.deepEqual(scrollFor(100, 10, 40, false, [12, 13]), { scroll: 12, follow: false });
  assert.deepEqual(scrollFor(100, 10, 40, false, [97, 100]), { scroll: 90, follow: true });
  assert.deepEqual(scrollFor(5, 10, 0, false, null), { scroll: 0, follow: true });
});
