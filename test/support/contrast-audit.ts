// WCAG contrast, measured on what the browser computed. Bundled by esbuild and evaluated inside
// the page (test/browser/contrast.test.ts); the colour arithmetic is plain and runs in Node too.

export interface Rgba { r: number; g: number; b: number; a: number }

/** One thing checked: where, what it shows, the two colours, their ratio and the ratio it needs. */
export interface Check { what: 'text' | 'placeholder' | 'border' | 'focus' | 'popup'; path: string; text: string; fg: string; bg: string; ratio: number; need: number }

const RGB = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/;

/** A computed colour: `rgb()`/`rgba()` or `#rrggbb`, else whatever the browser can paint (read back from a canvas). */
export function parseColour(text: string): Rgba {
  const h = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text.trim());
  if (h) return { r: parseInt(h[1], 16), g: parseInt(h[2], 16), b: parseInt(h[3], 16), a: 1 };
  const m = RGB.exec(text.trim());
  if (m) {
    const alpha = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number(m[4].slice(0, -1)) / 100 : Number(m[4]);
    return { r: Number(m[1]), g: Number(m[2]), b: Number(m[3]), a: alpha };
  }
  if (text === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = text;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
  return { r, g, b, a: a / 255 };
}

/** `top` painted over `bottom` (source-over). */
export function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top.a + bottom.a * (1 - top.a);
  if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
  const mix = (t: number, b: number) => (t * top.a + b * bottom.a * (1 - top.a)) / a;
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a };
}

/** WCAG 2 relative luminance of an opaque colour. */
export function luminance(c: Rgba): number {
  const lin = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG 2 contrast ratio of `fg` (possibly translucent) over the opaque `bg`, 1 to 21. */
export function ratio(fg: Rgba, bg: Rgba): number {
  const [a, b] = [luminance(over(fg, bg)), luminance(bg)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

export const hex = (c: Rgba) => `#${[c.r, c.g, c.b].map(v => Math.round(v).toString(16).padStart(2, '0')).join('')}${c.a < 1 ? `/${c.a.toFixed(2)}` : ''}`;

// ---- in the page ----

const style = (el: Element, pseudo?: string) => getComputedStyle(el, pseudo);

/** What the canvas shows where nothing is painted: the system colour of the page's colour scheme. */
function canvasColour(): Rgba {
  const probe = document.createElement('div');
  probe.style.backgroundColor = 'Canvas';
  document.documentElement.append(probe);
  const c = parseColour(style(probe).backgroundColor);
  probe.remove();
  return c;
}

/**
 * The opaque colour behind `el`: its own background and its ancestors', translucent ones painted
 * over what is beneath. An open modal dialog's beneath is its ::backdrop over the page.
 */
export function backgroundOf(el: Element | null): Rgba {
  const layers: Rgba[] = [];
  let base: Rgba | null = null;
  for (let e = el; e && !base; e = e.parentElement) {
    const c = parseColour(style(e).backgroundColor);
    if (c.a > 0) layers.push(c);
    if (c.a >= 1) break;
    if (e.matches('dialog:modal')) {
      layers.push(parseColour(style(e, '::backdrop').backgroundColor));
      base = backgroundOf(document.documentElement);
    }
  }
  let bg = base ?? canvasColour();
  for (const layer of layers.reverse()) bg = over(layer, bg);
  return bg;
}

/** A readable address for a finding: tag, then role, name or class, from the nearest named ancestor. */
export function pathOf(el: Element): string {
  const parts: string[] = [];
  for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
    const h = e as HTMLElement;
    const tag = e.tagName.toLowerCase();
    const label = h.dataset?.name ? `[data-name=${h.dataset.name}]` : h.dataset?.role ? `[data-role=${h.dataset.role}]`
      : e.id ? `#${e.id}` : e.getAttribute('role') ? `[role=${e.getAttribute('role')}]` : e.classList.length ? `.${[...e.classList].join('.')}` : '';
    parts.unshift(tag + label);
    if (h.dataset?.name || e.id) break;
  }
  return parts.join(' > ');
}

/** Product of the opacities of `el` and its ancestors: what a translucent ancestor does to the text. */
function opacityOf(el: Element): number {
  let o = 1;
  for (let e: Element | null = el; e; e = e.parentElement) o *= Number(style(e).opacity);
  return o;
}

/** WCAG's large text: 24px, or 18.66px (14pt) bold. */
function needFor(el: Element): number {
  const s = style(el);
  const size = parseFloat(s.fontSize);
  return size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700) ? 3 : 4.5;
}

const disabled = (el: Element) => el.closest(':disabled, [aria-disabled=true]') !== null;
const shown = (el: Element) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && el.getClientRects().length > 0;
const words = (el: Element) => (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? el.value : [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('')).trim().slice(0, 60);

function check(what: Check['what'], el: Element, text: string, fgColour: Rgba, bg: Rgba, need: number): Check {
  return { what, path: pathOf(el), text, fg: hex(fgColour), bg: hex(bg), ratio: Math.round(ratio(fgColour, bg) * 100) / 100, need };
}

/** Every shown element under `root` with text of its own (a text box: its value), against what is behind it. Disabled ones are exempt. */
export function texts(root: Element = document.body): Check[] {
  const out: Check[] = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (!shown(el) || disabled(el) || el.closest('[aria-hidden=true]')) continue;
    const text = words(el);
    if (!text || el instanceof HTMLInputElement && el.type === 'password') continue;
    const fg = parseColour(style(el).color);
    out.push(check('text', el, text, { ...fg, a: fg.a * opacityOf(el) }, backgroundOf(el), needFor(el)));
  }
  return out;
}

/** Every shown text box's placeholder (a hint is text too: 4.5:1). */
export function placeholders(root: Element = document.body): Check[] {
  return [root, ...root.querySelectorAll('*')]
    .filter((el): el is HTMLInputElement | HTMLTextAreaElement => (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && el.placeholder !== '' && shown(el) && !disabled(el))
    .map(el => {
      const p = style(el, '::placeholder');
      const fg = parseColour(p.color);
      return check('placeholder', el, el.placeholder, { ...fg, a: fg.a * Number(p.opacity) * opacityOf(el) }, backgroundOf(el), 4.5);
    });
}

/**
 * The edge of every shown control against what is around it (WCAG 1.4.11, 3:1): a text box must
 * show where it is, by its border or its fill; a button that draws a border or a fill must draw
 * one that shows (a bare text button is identified by its text, checked as text).
 */
export function controls(root: Element = document.body): Check[] {
  const out: Check[] = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (!el.matches('input, textarea, button') || !shown(el) || disabled(el)) continue;
    const s = style(el);
    const around = backgroundOf(el.parentElement);
    const fill = parseColour(s.backgroundColor);
    const border = parseFloat(s.borderTopWidth) > 0 && s.borderTopStyle !== 'none' ? parseColour(s.borderTopColor) : { r: 0, g: 0, b: 0, a: 0 };
    const isButton = el instanceof HTMLButtonElement;
    if (isButton && fill.a === 0 && border.a === 0) continue;
    const byFill = check('border', el, `${words(el) || el.tagName.toLowerCase()} (fill)`, fill, around, 3);
    const byBorder = check('border', el, `${words(el) || el.tagName.toLowerCase()} (border)`, border, around, 3);
    out.push(byBorder.ratio >= byFill.ratio ? byBorder : byFill);
  }
  return out;
}

let focused = new WeakSet<Element>();

/** Starts a round of Tab: every element's ring is measured again. */
export function forgetFocus() { focused = new WeakSet(); }

/**
 * The focused element's focus ring against what is around it (3:1); no ring at all is a finding.
 * 'again' once Tab has come round to an element already measured.
 */
export function focusRing(): Check | 'nothing' | 'again' {
  const el = document.activeElement;
  if (!el || el === document.body) return 'nothing';
  if (focused.has(el)) return 'again';
  focused.add(el);
  const s = style(el);
  const around = backgroundOf(el.parentElement);
  const drawn = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ring = drawn ? parseColour(s.outlineColor) : { r: 0, g: 0, b: 0, a: 0 };
  return check('focus', el, words(el) || el.getAttribute('aria-label') || el.tagName.toLowerCase(), ring, around, 3);
}

/**
 * An open popup against the dimmed page beside it (3:1, by its border or its fill), sampled just
 * outside each of its four sides.
 */
export function popups(): Check[] {
  const out: Check[] = [];
  for (const dialog of document.querySelectorAll('dialog')) {
    if (!dialog.matches(':modal')) continue;
    const s = style(dialog);
    const fill = backgroundOf(dialog);
    const border = parseFloat(s.borderTopWidth) > 0 && s.borderTopStyle !== 'none' ? parseColour(s.borderTopColor) : null;
    const backdrop = parseColour(style(dialog, '::backdrop').backgroundColor);
    const r = dialog.getBoundingClientRect();
    const points: [number, number][] = [[r.left - 6, r.top + r.height / 2], [r.right + 6, r.top + r.height / 2], [r.left + r.width / 2, r.top - 6], [r.left + r.width / 2, r.bottom + 6]];
    for (const [x, y] of points) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const beneath = document.elementsFromPoint(x, y).find(e => !dialog.contains(e)) ?? document.documentElement;
      const dimmed = over(backdrop, backgroundOf(beneath));
      const byFill = check('popup', dialog, `popup edge over ${pathOf(beneath)} (fill)`, fill, dimmed, 3);
      const byBorder = border ? check('popup', dialog, `popup edge over ${pathOf(beneath)} (border)`, over(border, fill), dimmed, 3) : byFill;
      out.push(byBorder.ratio >= byFill.ratio ? byBorder : byFill);
    }
  }
  return out;
}

/** The page's own background, to tell the themes apart. */
export function pageBackground(): string {
  return hex(backgroundOf(document.documentElement));
}
