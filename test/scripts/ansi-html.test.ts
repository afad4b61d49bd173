// The terminal picture's renderer (scripts/ansi-html.ts): what tmux's SGR escapes become.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ansiToHtml, TANGO_DARK } from '../../scripts/ansi-html.ts';

const T = TANGO_DARK;

test('plain text stays plain, and markup in it is text', () => {
  assert.equal(ansiToHtml('a <b> & "c"\nnext'), 'a &lt;b&gt; &amp; &quot;c&quot;\nnext');
});

test('colours and attributes become styles until they are reset', () => {
  assert.equal(ansiToHtml('\x1b[1;31mno\x1b[0m ok'), `<span style="color:${T.ansi[1]};font-weight:bold">no</span> ok`);
  assert.equal(ansiToHtml('\x1b[30mdim\x1b[39m'), `<span style="color:${T.ansi[0]}">dim</span>`);
  assert.equal(ansiToHtml('\x1b[4mu\x1b[24m\x1b[3mi\x1b[23m'), '<span style="text-decoration:underline">u</span><span style="font-style:italic">i</span>');
  assert.equal(ansiToHtml('\x1b[92;104mx'), `<span style="color:${T.ansi[10]};background:${T.ansi[12]}">x</span>`);
});

test('256 colours and true colour', () => {
  assert.equal(ansiToHtml('\x1b[38;5;196mr'), '<span style="color:#ff0000">r</span>');
  assert.equal(ansiToHtml('\x1b[48;5;244mg'), '<span style="background:#808080">g</span>');
  assert.equal(ansiToHtml('\x1b[38;2;1;2;3mt'), '<span style="color:rgb(1, 2, 3)">t</span>');
});

test('inverse swaps the pen (a cursor, a status bar); other escapes are dropped, never shown', () => {
  assert.equal(ansiToHtml('\x1b[7m \x1b[27m'), `<span style="color:${T.bg};background:${T.fg}"> </span>`);
  assert.equal(ansiToHtml('\x1b[2Ja\x1b]'), 'a');
});
