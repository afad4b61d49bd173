// Text from the server made safe and measured for a terminal.
import blessed from 'blessed';

// CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC strings, and single-character escapes.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const unicode = (blessed as unknown as { unicode: { charWidth(s: string, i: number): number } }).unicode;

// Format characters: bidi embeddings, overrides and isolates, zero-width spaces and joiners,
// the BOM. A terminal shows none of them, and they reorder or hide the text around them.
const FORMAT = /\p{Cf}/gu;
const MARKS = /\p{M}+/gu;
/** Combining marks kept on one character: enough for Vietnamese, Hebrew or Indic text; a
 *  thousand would stack over other lines or overflow the terminal's cell. */
export const MAX_MARKS = 3;

/** Removes escape sequences, control and format characters; tabs become spaces; newlines stay;
 *  runs of combining marks are cut to MAX_MARKS. What is left is what is drawn. */
export function clean(s: unknown): string {
  return String(s ?? '').replace(/\r\n?/g, '\n').replace(ESCAPES, '').replace(/\t/g, '    ').replace(CONTROLS, '')
    .replace(FORMAT, '').replace(MARKS, tameMarks);
}

/** The first MAX_MARKS marks of a run that blessed and the terminal agree take no column; a
 *  non-spacing mark blessed does not know would get a cell of its own and push the line. */
function tameMarks(run: string): string {
  let kept = '';
  let n = 0;
  for (const m of run) {
    if (n === MAX_MARKS) break;
    if (unicode.charWidth(m, 0) === 0 || /\p{Mc}/u.test(m)) { kept += m; n++; }
  }
  return kept;
}

/** Whether a typed character may go into a text box (no control characters or escapes). */
export function typable(ch: string): boolean {
  return !/\p{Cc}/u.test(ch);
}

/** Cleaned, and with blessed's `{tags}` escaped, for a box that parses tags. */
export function safe(s: unknown): string {
  return blessed.escape(clean(s));
}

/**
 * The cells a string takes on a line as blessed lays it out: a wide character two, any other
 * one, and one more for each surrogate pair and each combining mark. Blessed cuts a line at
 * that count before it merges marks and pairs into their cells when drawing, so lines fitted
 * by it are never cut. It is the columns shown, or a little more for marks and astral letters.
 */
export function width(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    // Printable Latin up to the combining marks takes one cell: skip blessed's slow tables.
    if ((c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c < 0x300)) n++;
    else n += ch.length + (unicode.charWidth(ch, 0) === 2 ? 1 : 0);
  }
  return n;
}

// The editor moves by what a reader takes for characters: a letter with its marks, an emoji
// sequence, a flag.
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

// A character with the combining marks drawn on it (a surrogate pair whole): one place on a line.
// A regular expression, not Intl.Segmenter, which is twenty times slower over whole lists.
const CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;

/** Cleaned text as the places it is drawn in: each character with its marks. */
export function characters(s: string): string[] {
  return s.match(CLUSTER) ?? [];
}

/** From UTF-16 index `i` to the end of the character (grapheme) there, or '' at the end. */
export function graphemeAt(s: string, i: number): string {
  const g = graphemeSegmenter.segment(s).containing(i);
  return g ? g.segment.slice(i - g.index) : '';
}

/** From the start of the character (grapheme) before UTF-16 index `i` to `i`, or '' at 0. */
export function graphemeBefore(s: string, i: number): string {
  const g = i > 0 ? graphemeSegmenter.segment(s).containing(i - 1) : undefined;
  return g ? g.segment.slice(0, i - g.index) : '';
}

/** Splits cleaned text into lines of at most `cols` cells (see width), breaking at spaces where it
 *  can, and never inside a character with its marks or a surrogate pair. */
export function wrap(text: string, cols: number): string[] {
  const out: string[] = [];
  if (cols < 1) return [''];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    let lastSpace = -1;
    for (const ch of characters(paragraph)) {
      const w = width(ch);
      if (lineWidth + w > cols) {
        if (lastSpace > 0 && ch !== ' ') {
          out.push(line.slice(0, lastSpace));
          line = line.slice(lastSpace + 1);
          lineWidth = width(line);
        } else {
          out.push(line);
          line = '';
          lineWidth = 0;
        }
        lastSpace = -1;
        if (ch === ' ') continue;
      }
      if (ch === ' ') lastSpace = line.length;
      line += ch;
      lineWidth += w;
    }
    out.push(line);
  }
  return out;
}

/** The tail of `s` that fits in `cols` cells (for a text box showing its end). */
export function fitEnd(s: string, cols: number): string {
  let w = 0;
  let i = s.length;
  for (const ch of characters(s).reverse()) {
    w += width(ch);
    if (w > cols) break;
    i -= ch.length;
  }
  return s.slice(i);
}
