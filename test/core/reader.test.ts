import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDescription, DescriptionError } from '../../core/description.ts';
import { Translatable } from '../../core/values.ts';

const actions = new Set(['say', 'close']);
const compile = (src: string) => compileDescription(src, 'x.scm', 'x', { actions });
function problems(src: string): string[] {
  try { compile(src); } catch (e) { if (e instanceof DescriptionError) return e.problems.map(String); throw e; }
  assert.fail('expected the description to be refused');
}

test('reads comments, booleans, numbers, escaped strings and translatable strings', () => {
  const d = compile(`; top comment
(window name main title (_ "Pal\\"aver") ; trailing comment
  (vbox
    (textbox name message max-length 4000 secret #f (on submit say 1 "two" #t))
    (label text "line\\nbreak")))`);
  assert.equal(d.root.kind, 'window');
  assert.deepEqual(d.root.attrs.title, new Translatable('Pal"aver'));
  const tb = d.root.children[0].children[0];
  assert.equal(tb.attrs['max-length'], 4000);
  assert.equal(tb.attrs.secret, false);
  assert.deepEqual(tb.on.submit, { action: 'say', args: [1, 'two', true], pos: { file: 'x.scm', line: 4, col: 53 } });
  assert.equal(d.root.children[0].children[1].attrs.text, 'line\nbreak');
});

test('each error names file:line:col and what was expected', () => {
  assert.deepEqual(problems('(window\n  (vbox (label text "a")'), ['x.scm:2:3: unbalanced parenthesis: this ( is never closed']);
  assert.deepEqual(problems('(window))'), ['x.scm:1:9: unbalanced parenthesis: ) without a matching (']);
  assert.deepEqual(problems('(window\n  (slider))'), ['x.scm:2:4: unknown widget kind slider (expected one of window, popup, vbox, hbox, label, button, textbox, listbox, item)']);
  assert.deepEqual(problems('(window (label colour "red"))'), ['x.scm:1:16: unknown attribute colour for label (expected one of name, visible, enabled, role, text)']);
  assert.deepEqual(problems('(window (label constructor "x"))'), ['x.scm:1:16: unknown attribute constructor for label (expected one of name, visible, enabled, role, text)']);
  assert.deepEqual(problems('(window (button (on toString close)))'), ['x.scm:1:21: unknown event toString for button (expected one of click)']);
  assert.deepEqual(problems('(window (textbox max-length "ten"))'), ['x.scm:1:29: wrong type for max-length: expected a whole number, found the string "ten"']);
  assert.deepEqual(problems('(window (button (on hover say)))'), ['x.scm:1:21: unknown event hover for button (expected one of click)']);
  assert.deepEqual(problems('(window (button (on click fly)))'), ['x.scm:1:27: unknown action fly']);
  assert.deepEqual(problems('(window (label name a)\n (vbox (label name a)))'), ['x.scm:2:20: duplicate widget name a (first used at 1:21)']);
  assert.deepEqual(problems('(window (label text "oops))'), ['x.scm:1:21: unterminated string']);
  assert.deepEqual(problems('(label text "x")'), ['x.scm:1:2: a description\'s root must be window or popup, not label']);
  assert.deepEqual(problems('(window (item text "x"))'), ['x.scm:1:10: item cannot be placed in window (expected one of vbox, hbox, label, button, textbox, listbox)']);
  assert.deepEqual(problems('(window (label visible #maybe))'), ['x.scm:1:24: unknown literal #maybe (expected #t or #f)']);
});

test('every problem of a file is reported, not just the first', () => {
  const all = problems('(window (label colour 1)\n (button (on click fly))\n (bogus))');
  assert.equal(all.length, 3);
  assert.match(all[0], /^x\.scm:1:16: unknown attribute colour/);
  assert.match(all[1], /^x\.scm:2:20: unknown action fly/);
  assert.match(all[2], /^x\.scm:3:3: unknown widget kind bogus/);
});

test('roles come from a fixed vocabulary, and a list declares the parts of its entries', () => {
  const d = compile('(window (listbox name l role transcript (part who byline) (part at timestamp) (item text "hi" who "ann")))');
  const list = d.root.children[0];
  assert.equal(list.attrs.role, 'transcript');
  assert.deepEqual({ ...list.parts }, { who: 'byline', at: 'timestamp' });
  assert.equal(list.children[0].attrs.who, 'ann', 'an entry written in the description may use the parts');
  assert.deepEqual(problems('(window\n  (label role shiny))'), ['x.scm:2:15: unknown role shiny (expected one of heading, status, error, transcript, composer, navigation, roster, primary, minor, form, sidebar, content, aside)']);
  assert.deepEqual(problems('(window (listbox (part who byline) (part who timestamp) (part text own) (part x loud) (part)))'), [
    'x.scm:1:42: part who is declared twice',
    'x.scm:1:63: part text would hide the entry attribute of that name',
    'x.scm:1:81: expected a part role after (part x (one of byline, timestamp, own, announcement)',
    'x.scm:1:87: expected (part NAME ROLE): the part name is missing',
  ]);
  assert.deepEqual(problems('(window (vbox (part who byline)))'), ['x.scm:1:16: (part …) belongs in a listbox, not in vbox']);
  assert.deepEqual(problems('(window (listbox (item text "x" who "ann")))'), ['x.scm:1:33: unknown attribute who for item (expected one of name, visible, enabled, text, value)']);
  assert.deepEqual(problems('(window (listbox (part mine own) (item mine "yes")))'), ['x.scm:1:45: wrong type for mine: expected #t or #f, found the string "yes"']);
});
