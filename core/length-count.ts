// The count a text box shows near its `max-length`, the same in every driver: counted in code
// points as applications count (an emoji is one), so the count and the refusal agree.
import type { Value } from './values.ts';

/** From this share of its max-length on, a text box shows its count. */
const COUNT_FROM = 0.9;

/** "3,950 / 4,000" once a text nears its max-length; `over` past it. Null without a max-length or far from it. */
export function countNear(text: string, max: Value | undefined, numbers: Intl.NumberFormat): { text: string; over: boolean } | null {
  if (typeof max !== 'number' || text.length < max * COUNT_FROM) return null;   // code points <= UTF-16 units
  const count = [...text].length;
  if (count < max * COUNT_FROM) return null;
  return { text: `${numbers.format(count)} / ${numbers.format(max)}`, over: count > max };
}

/** Numbers as the user's languages write them; a tag Intl does not take falls back to its default. */
export function numberFormat(languages: readonly string[]): Intl.NumberFormat {
  try { return new Intl.NumberFormat([...languages]); } catch { return new Intl.NumberFormat(); }
}
