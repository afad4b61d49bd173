// Text from users made safe to store and to show to others: nothing SQLite or a front-end could
// choke on (lone surrogates), nothing that reorders or hides what others read (bidi controls,
// zero-width characters), and no stacks of combining marks tall enough to draw over other lines.

/** At most this many combining marks in a row (Vietnamese needs 2, Tibetan and Hebrew 3–4). */
export const MAX_MARKS_IN_A_ROW = 4;

// With the `u` flag \p{Cs} matches only unpaired halves: a pair is one astral code point.
const LONE_SURROGATES = /\p{Cs}/gu;
// Overrides, embeddings, isolates and the invisible direction marks (LRM, RLM, ALM).
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// Zero-width space, word joiner, BOM: never needed to write anything.
const INVISIBLE = /[\u200B\u2060\uFEFF]/g;
const JOINERS = /[\u200C\u200D]+/g;
// A ZWJ/ZWNJ means something only inside a word (Persian, Indic scripts) or an emoji sequence.
const JOINS_AFTER = /[\p{L}\p{M}\p{N}\p{Extended_Pictographic}\p{Emoji_Modifier}]/u;
const JOINS_BEFORE = /[\p{L}\p{M}\p{N}\p{Extended_Pictographic}]/u;
const MARK_RUNS = new RegExp(`\\p{M}{${MAX_MARKS_IN_A_ROW + 1},}`, 'gu');

const lastCodePoint = (s: string, end: number) => [...s.slice(Math.max(0, end - 2), end)].pop() ?? '';
const codePointAt = (s: string, at: number) => { const c = s.codePointAt(at); return c === undefined ? '' : String.fromCodePoint(c); };

/** Keeps one joiner where it joins two parts of a word or an emoji; removes it elsewhere. */
function meaningfulJoiners(text: string): string {
  return text.replace(JOINERS, (run, at: number, s: string) =>
    JOINS_AFTER.test(lastCodePoint(s, at)) && JOINS_BEFORE.test(codePointAt(s, at + run.length)) ? run[0] : '');
}

const capMarks = (text: string) => text.replace(MARK_RUNS, run => [...run].slice(0, MAX_MARKS_IN_A_ROW).join(''));

const withoutLoneSurrogates = (text: string) => text.replace(LONE_SURROGATES, '');

/** A message's text: bidi controls and zero-width characters go (joiners stay where they join), marks are capped. */
export function cleanMessage(text: string): string {
  return capMarks(meaningfulJoiners(withoutLoneSurrogates(text).replace(BIDI_CONTROLS, '').replace(INVISIBLE, '')));
}

/** A name's text (without lone surrogates: names refuse them): every bidi control and zero-width character goes, joiners too; marks are capped. */
export function cleanName(text: string): string {
  return capMarks(text.replace(BIDI_CONTROLS, '').replace(INVISIBLE, '').replace(JOINERS, ''));
}
