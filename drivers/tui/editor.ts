// The terminal's line editor, as pure functions: what one key does to a text and its cursor, and
// how the text is drawn in a number of cells. Moves and deletes take a whole character (a letter
// with its marks, a surrogate pair); nothing is ever cut at max-length (the counter shows the
// excess and the server refuses it).
import blessed from 'blessed';
import { characters, clean, fitEnd, graphemeAt, graphemeBefore, typable, width } from './text.ts';

export interface Edit { text: string; cursor: number }

/**
 * One key on a text box: the text and cursor after it, `submit` (Enter), or null when the key is
 * not one the editor takes. `key` is blessed's full key name (`C-w`, `M-enter`, `left`).
 */
export function editKey(e: Edit, key: string, ch: string | undefined, modified: boolean, multiline: boolean): Edit | 'submit' | null {
  let { text, cursor: cur } = e;
  const prevLen = (i: number) => graphemeBefore(text, i).length;
  const nextLen = (i: number) => graphemeAt(text, i).length;
  const insert = (s: string) => { text = text.slice(0, cur) + s + text.slice(cur); cur += s.length; };
  switch (key) {
    // blessed reports \r twice, as `enter` and as `return`: act on `enter` only.
    case 'enter': return 'submit';
    case 'return': case 'M-return': return null;
    case 'linefeed': case 'C-j': case 'M-enter': if (multiline) insert('\n'); break;
    case 'backspace': case 'C-h': if (cur > 0) { const l = prevLen(cur); text = text.slice(0, cur - l) + text.slice(cur); cur -= l; } break;
    case 'delete': case 'C-d': if (cur < text.length) text = text.slice(0, cur) + text.slice(cur + nextLen(cur)); break;
    case 'left': case 'C-b': if (cur > 0) cur -= prevLen(cur); break;
    case 'right': case 'C-f': if (cur < text.length) cur += nextLen(cur); break;
    case 'home': case 'C-a': cur = 0; break;
    case 'end': case 'C-e': cur = text.length; break;
    case 'C-u': text = text.slice(cur); cur = 0; break;
    case 'C-k': text = text.slice(0, cur); break;
    case 'C-w': { const start = text.slice(0, cur).replace(/\S+\s*$/, '').length; text = text.slice(0, start) + text.slice(cur); cur = start; break; }
    default:
      if (ch && !modified && typable(ch)) insert(ch);
      else return null;
  }
  return { text, cursor: cur };
}

/** A text box's text in `cols` cells: its end, or around the cursor when focused; and the cells used. */
export function editorLine(text: string, cursor: number | undefined, cols: number, focused: boolean, secret: boolean): { line: string; used: number } {
  const shown = (s: string) => clean(secret ? '*'.repeat([...s].length) : s.replace(/\n/g, '↵'));
  if (!focused) {
    const end = fitEnd(shown(text), cols);
    return { line: blessed.escape(end), used: width(end) };
  }
  const cur = Math.min(cursor ?? text.length, text.length);
  const before = fitEnd(shown(text.slice(0, cur)), Math.max(1, cols - 1));
  const under = graphemeAt(text, cur);
  const at = shown(under) || ' ';
  let tail = '';
  let room = cols - width(before) - width(at);
  for (const ch of characters(shown(text.slice(cur + under.length)))) { if (width(ch) > room) break; tail += ch; room -= width(ch); }
  return { line: `${blessed.escape(before)}{inverse}${blessed.escape(at)}{/inverse}${blessed.escape(tail)}`, used: cols - room };
}
