// Text from the server made safe and measured for a terminal.
import blessed from 'blessed';

// CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC strings, and single-character escapes.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Removes escape sequences and control characters; tabs become spaces; newlines stay. */
export function clean(s: unknown): string {
  return String(s ?? '').replace(/\r\n?/g, '\n').replace(ESCAPES, '').replace(/\t/g, '    ').replace(CONTROLS, '');
}

/** Cleaned, and with blessed's `{tags}` escaped, for a box that parses tags. */
export function safe(s: unknown): string {
  return blessed.escape(clean(s));
}

const unicode = (blessed as unknown as { unicode: { strWidth(s: string): number } }).unicode;

/** Columns a string takes (wide characters count two). */
export function width(s: string): number {
  return unicode.strWidth(s);
}

/** Splits cleaned text into lines of at most `cols` columns, breaking at spaces where it can. */
export function wrap(text: string, cols: number): string[] {
  const out: string[] = [];
  if (cols < 1) return [''];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    let lastSpace = -1;
    for (const ch of paragraph) {
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

/** The tail of `s` that fits in `cols` columns (for a text box showing its end). */
export function fitEnd(s: string, cols: number): string {
  let w = 0;
  let i = s.length;
  for (const ch of [...s].reverse()) {
    w += width(ch);
    if (w > cols) break;
    i -= ch.length;
  }
  return s.slice(i);
}
