// Lays a widget tree out on a character grid: vbox stacks, hbox puts side by side, list boxes
// take the room that is left. Pure, so that a resize simply lays out again.
import { clean, width, wrap } from './text.ts';
import type { WidgetKind } from '../../core/schema.ts';
import type { Attributes } from '../../core/values.ts';

export interface LayoutNode {
  id: string;
  kind: WidgetKind;
  attrs: Attributes;
  children: LayoutNode[];
}

export interface Rect { top: number; left: number; width: number; height: number }

const shown = (n: LayoutNode) => n.attrs.visible !== false && !(n.kind === 'label' && !n.attrs.text);
/** A widget's text as it will be drawn, so that it is measured as drawn. */
const drawn = (n: LayoutNode) => clean(n.attrs.text);

/** Grows to fill height: list boxes, and boxes holding one. */
function flexV(n: LayoutNode): boolean {
  if (n.kind === 'listbox') return true;
  return (n.kind === 'vbox' || n.kind === 'hbox') && n.children.some(c => shown(c) && flexV(c));
}

/** Grows to fill width inside an hbox: text boxes, and boxes holding one. */
function flexH(n: LayoutNode): boolean {
  if (n.kind === 'textbox') return true;
  return (n.kind === 'vbox' || n.kind === 'hbox') && n.children.some(c => shown(c) && flexH(c));
}

/** The width a widget would like. */
export function naturalWidth(n: LayoutNode): number {
  switch (n.kind) {
    case 'label': return width(drawn(n));
    case 'button': return width(drawn(n)) + 4;
    case 'textbox': return 20;
    case 'listbox': return Math.min(28, Math.max(12, ...n.children.map(c => width(drawn(c)) + 4)));
    case 'hbox': return n.children.filter(shown).reduce((s, c) => s + naturalWidth(c) + 1, 0);
    default: return Math.max(0, ...n.children.filter(shown).map(naturalWidth));
  }
}

/** The height a widget needs at a given width (list boxes: their least). */
export function naturalHeight(n: LayoutNode, cols: number): number {
  if (!shown(n)) return 0;
  switch (n.kind) {
    case 'label': return wrap(drawn(n), cols).length;
    case 'button': return 1;
    case 'textbox': return 3;
    case 'listbox': return 4;
    case 'hbox': {
      const rects = new Map<string, Rect>();
      placeRow(n, { top: 0, left: 0, width: cols, height: 1 }, rects);
      return Math.max(1, ...n.children.filter(shown).map(c => naturalHeight(c, rects.get(c.id)?.width ?? cols)));
    }
    default: return n.children.filter(shown).reduce((s, c) => s + naturalHeight(c, cols), 0);
  }
}

/** Places `n` and its descendants inside `r`. */
export function layout(n: LayoutNode, r: Rect, out = new Map<string, Rect>()): Map<string, Rect> {
  out.set(n.id, r);
  if (!shown(n)) return out;
  if (n.kind === 'hbox') placeRow(n, r, out);
  else if (n.kind === 'vbox' || n.kind === 'window' || n.kind === 'popup') placeColumn(n, r, out);
  return out;
}

function placeColumn(n: LayoutNode, r: Rect, out: Map<string, Rect>) {
  const kids = n.children.filter(shown);
  const heights = kids.map(c => (flexV(c) ? 0 : naturalHeight(c, r.width)));
  let spare = Math.max(0, r.height - heights.reduce((a, b) => a + b, 0));
  let flexLeft = kids.filter(flexV).length;
  kids.forEach((c, i) => {
    if (!flexV(c)) return;
    heights[i] = Math.max(3, Math.floor(spare / flexLeft));
    spare -= heights[i];
    flexLeft--;
  });
  let top = r.top;
  kids.forEach((c, i) => {
    layout(c, { top, left: r.left, width: r.width, height: Math.max(0, Math.min(heights[i], r.top + r.height - top)) }, out);
    top += heights[i];
  });
  hide(n, out);
}

function placeRow(n: LayoutNode, r: Rect, out: Map<string, Rect>) {
  const kids = n.children.filter(shown);
  const GAP = 1;
  const flex = kids.filter(flexH);
  const natural = kids.map(c => (flexH(c) ? 0 : Math.min(naturalWidth(c), flex.length ? 30 : r.width)));
  const gaps = Math.max(0, kids.length - 1) * GAP;
  let spare = Math.max(0, r.width - gaps - natural.reduce((a, b) => a + b, 0));
  let left = r.left;
  let flexLeft = flex.length;
  kids.forEach((c, i) => {
    let w = natural[i];
    if (flexH(c)) { w = Math.floor(spare / flexLeft); spare -= w; flexLeft--; }
    w = Math.max(0, Math.min(w, r.left + r.width - left));
    layout(c, { top: r.top, left, width: w, height: r.height }, out);
    left += w + GAP;
  });
  hide(n, out);
}

function hide(n: LayoutNode, out: Map<string, Rect>) {
  for (const c of n.children) if (!shown(c)) out.set(c.id, { top: 0, left: 0, width: 0, height: 0 });
}
