// The terminal's line editor as pure functions: whole characters, no cut at max-length, keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editKey, editorLine, type Edit } from '../../drivers/tui/editor.ts';

const keys = (start: Edit, ...ks: [string, string?][]) => ks.reduce<Edit>((e, [key, ch]) => {
  const r = editKey(e, key, ch, false, true);
  return r && r !== 'submit' ? r : e;
}, start);

test('moves and deletes take whole characters: a letter with its marks, a surrogate pair', () => {
  const text = 'ae\u0301\u{1F600}z';
  assert.deepEqual(keys({ text, cursor: text.length }, ['left'], ['left'], ['left']), { text, cursor: 1 });
  assert.deepEqual(keys({ text, cursor: text.length }, ['left'], ['backspace']), { text: 'ae\u0301z', cursor: 3 });
  assert.deepEqual(keys({ text, cursor: 1 }, ['delete']), { text: 'a\u{1F600}z', cursor: 1 });
});

test('Emacs keys, new lines only where the box is multi-line, Enter submits, modified keys are not typed', () => {
  assert.deepEqual(keys({ text: 'one two three', cursor: 13 }, ['C-w']), { text: 'one two ', cursor: 8 });
  assert.deepEqual(keys({ text: 'one two', cursor: 3 }, ['C-k']), { text: 'one', cursor: 3 });
  assert.deepEqual(keys({ text: 'one two', cursor: 4 }, ['C-u']), { text: 'two', cursor: 0 });
  assert.deepEqual(keys({ text: 'ab', cursor: 1 }, ['M-enter']), { text: 'a\nb', cursor: 2 });
  assert.deepEqual(editKey({ text: 'ab', cursor: 1 }, 'C-j', undefined, false, false), { text: 'ab', cursor: 1 });
  assert.equal(editKey({ text: 'ab', cursor: 2 }, 'enter', '\r', false, true), 'submit');
  assert.equal(editKey({ text: 'ab', cursor: 2 }, 'M-x', 'x', true, true), null);
  assert.deepEqual(keys({ text: 'x'.repeat(10), cursor: 10 }, ['y', 'y']), { text: 'x'.repeat(10) + 'y', cursor: 11 }, 'nothing is cut');
});

test('the drawn line keeps the cursor in view and hides a secret', () => {
  assert.equal(editorLine('hunter2', 7, 20, false, true).line, '*******');
  const long = 'abcdefghijklmnopqrstuvwxyz';
  const { line, used } = editorLine(long, 26, 10, true, false);
  assert.ok(line.endsWith('{inverse} {/inverse}'), 'the cursor cell after the end');
  assert.ok(line.includes('rstuvwxyz'), 'the end of the text is in view');
  assert.equal(used, 10);
});
