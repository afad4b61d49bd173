// A terminal screen as HTML: the text of `tmux capture-pane -e -p`, whose colours and attributes
// are SGR escapes (ESC [ … m), becomes one <pre> of styled spans that a browser can photograph.

export interface TerminalTheme { fg: string; bg: string; /** The 16 ANSI colours: 0–7, then bright 8–15. */ ansi: string[]; font: string }

/** A dark terminal as many people run one (the palette of GNOME Terminal's Tango). */
export const TANGO_DARK: TerminalTheme = {
  fg: '#d3d7cf', bg: '#1e2227',
  ansi: ['#2e3436', '#cc0000', '#4e9a06', '#c4a000', '#3465a4', '#75507b', '#06989a', '#d3d7cf',
    '#555753', '#ef2929', '#8ae234', '#fce94f', '#729fcf', '#ad7fa8', '#34e2e2', '#eeeeec'],
  font: '"DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace',
};

interface Pen { fg: string | null; bg: string | null; bold: boolean; dim: boolean; italic: boolean; underline: boolean; inverse: boolean; hidden: boolean; strike: boolean }
const plain = (): Pen => ({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, hidden: false, strike: false });

/** Colour n of xterm's 256: the 16 of the theme, a 6×6×6 cube, then 24 greys. */
function colour256(n: number, theme: TerminalTheme): string {
  if (n < 16) return theme.ansi[n];
  const hex = (v: number) => v.toString(16).padStart(2, '0');
  if (n >= 232) { const g = 8 + (n - 232) * 10; return `#${hex(g)}${hex(g)}${hex(g)}`; }
  const steps = [0, 95, 135, 175, 215, 255];
  const i = n - 16;
  return `#${hex(steps[Math.floor(i / 36)])}${hex(steps[Math.floor(i / 6) % 6])}${hex(steps[i % 6])}`;
}

/** Applies one SGR sequence's parameters to the pen. */
function sgr(pen: Pen, params: number[], theme: TerminalTheme): Pen {
  const p = { ...pen };
  for (let i = 0; i < params.length; i++) {
    const n = params[i];
    if (n === 0) Object.assign(p, plain());
    else if (n === 1) p.bold = true;
    else if (n === 2) p.dim = true;
    else if (n === 3) p.italic = true;
    else if (n === 4) p.underline = true;
    else if (n === 7) p.inverse = true;
    else if (n === 8) p.hidden = true;
    else if (n === 9) p.strike = true;
    else if (n === 22) { p.bold = false; p.dim = false; }
    else if (n === 23) p.italic = false;
    else if (n === 24) p.underline = false;
    else if (n === 27) p.inverse = false;
    else if (n === 28) p.hidden = false;
    else if (n === 29) p.strike = false;
    else if (n >= 30 && n <= 37) p.fg = theme.ansi[n - 30];
    else if (n >= 90 && n <= 97) p.fg = theme.ansi[n - 90 + 8];
    else if (n === 39) p.fg = null;
    else if (n >= 40 && n <= 47) p.bg = theme.ansi[n - 40];
    else if (n >= 100 && n <= 107) p.bg = theme.ansi[n - 100 + 8];
    else if (n === 49) p.bg = null;
    else if (n === 38 || n === 48) {
      // 38;5;N or 38;2;R;G;B (and 48 for the background).
      let c: string | null = null;
      if (params[i + 1] === 5) { c = colour256(params[i + 2] ?? 0, theme); i += 2; }
      else if (params[i + 1] === 2) { c = `rgb(${params[i + 2] ?? 0}, ${params[i + 3] ?? 0}, ${params[i + 4] ?? 0})`; i += 4; }
      if (n === 38) p.fg = c; else p.bg = c;
    }
  }
  return p;
}

function css(pen: Pen, theme: TerminalTheme): string {
  let fg = pen.fg ?? theme.fg;
  let bg = pen.bg;
  if (pen.inverse) { [fg, bg] = [bg ?? theme.bg, fg]; }
  const out: string[] = [];
  if (fg !== theme.fg || pen.inverse) out.push(`color:${pen.hidden ? 'transparent' : fg}`);
  else if (pen.hidden) out.push('color:transparent');
  if (bg) out.push(`background:${bg}`);
  if (pen.bold) out.push('font-weight:bold');
  if (pen.dim) out.push('opacity:.6');
  if (pen.italic) out.push('font-style:italic');
  const lines = [pen.underline && 'underline', pen.strike && 'line-through'].filter(Boolean);
  if (lines.length) out.push(`text-decoration:${lines.join(' ')}`);
  return out.join(';');
}

const escape = (s: string) => s.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The screen's lines as the inside of a <pre>: text escaped, each run of one style in a span. */
export function ansiToHtml(screen: string, theme: TerminalTheme = TANGO_DARK): string {
  let pen = plain();
  let html = '';
  // Escapes other than SGR (none are expected from capture-pane) are dropped, never shown.
  for (const part of screen.split(/(\x1b\[[0-9;:]*[A-Za-z]|\x1b[^[])/)) {
    if (part.startsWith('\x1b')) {
      if (part.startsWith('\x1b[') && part.endsWith('m')) pen = sgr(pen, part.slice(2, -1).split(/[;:]/).map(n => (n === '' ? 0 : Number(n))), theme);
      continue;
    }
    if (!part) continue;
    const style = css(pen, theme);
    html += style ? `<span style="${style}">${escape(part)}</span>` : escape(part);
  }
  return html;
}

/** A whole page showing the screen at its natural size, for a browser to photograph. */
export function terminalPage(screen: string, theme: TerminalTheme = TANGO_DARK): string {
  return `<!doctype html><meta charset="utf-8"><style>
body { margin: 0; background: ${theme.bg}; }
pre { display: inline-block; margin: 0; padding: 12px 14px; font: 15px/1.2 ${theme.font}; color: ${theme.fg}; background: ${theme.bg}; }
</style><pre>${ansiToHtml(screen, theme)}</pre>`;
}
