// How the terminal draws a list box, as pure functions: an entry's lines at a width (by the
// roles of its parts), their styling, and the scroll that keeps the selection, or the newest
// entry, in view.
import blessed from 'blessed';
import type { EntryView } from '../../core/roles.ts';
import { clean, safe, wrap } from './text.ts';

/** An entry's plain lines at a width; `prefix` is the `timestamp byline: ` its first line starts with. */
export interface EntryLines { lines: string[]; prefix?: string }

/** An announcement (its time after it), a message (`timestamp byline: text`), or text. */
export function entryLines(e: EntryView, cols: number): EntryLines {
  const text = clean(e.text);
  if (e.announcement) return { lines: wrap(`${text}${e.timestamp ? `  ${clean(e.timestamp)}` : ''}`, cols) };
  if (e.byline || e.timestamp) {
    const prefix = `${clean(e.timestamp)} ${clean(e.byline)}: `;
    return { lines: wrap(prefix + text, cols), prefix };
  }
  return { lines: wrap(text, cols) };
}

/** The lines with blessed's tags: announcements grey, the byline bold (green for one's own). */
export function styledLines(e: EntryView, { lines, prefix }: EntryLines, selected: 'focused' | 'unfocused' | null): string[] {
  const styled = lines.map((l, i) => {
    if (e.announcement) return `{gray-fg}${blessed.escape(l)}{/gray-fg}`;
    if (i > 0 || !prefix || !l.startsWith(prefix)) return blessed.escape(l);
    const who = e.own ? `{green-fg}{bold}${safe(e.byline)}{/bold}{/green-fg}` : `{bold}${safe(e.byline)}{/bold}`;
    return `{gray-fg}${safe(e.timestamp)}{/gray-fg} ${who}: ${blessed.escape(l.slice(prefix.length))}`;
  });
  if (!selected) return styled;
  return styled.map(l => (selected === 'focused' ? `{inverse}${l}{/inverse}` : `{underline}${l}{/underline}`));
}

/**
 * The first line to show of `total` in `rows`: at the bottom while following the newest, else
 * where it was; a focused selection (lines `sel[0]` to `sel[1]`) is brought into view. `follow`:
 * whether it is at the bottom afterwards (and so keeps to the newest).
 */
export function scrollFor(total: number, rows: number, current: number, follow: boolean, sel: [number, number] | null): { scroll: number; follow: boolean } {
  const max = Math.max(0, total - rows);
  let scroll = follow ? max : Math.min(current, max);
  if (sel) {
    if (sel[0] < scroll) scroll = sel[0];
    if (sel[1] > scroll + rows) scroll = Math.max(0, sel[1] - rows);
  }
  return { scroll, follow: scroll >= max };
}
