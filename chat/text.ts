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
// Every other character Unicode says to draw as nothing (Hangul fillers, soft hyphen, Mongolian
// and Khmer invisibles...). Messages keep variation selectors (emoji and ideograph variants) and
// tag characters, which only a flag may use (see flagTags); names keep none.
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const HIDING_IN_MESSAGES = /(?![\u200C\u200D\uFE00-\uFE0F\u{E0100}-\u{E01EF}\u{E0020}-\u{E007F}])\p{Default_Ignorable_Code_Point}/gu;
const TAGS = /[\u{E0020}-\u{E007F}]+/gu;
const BLACK_FLAG = '\u{1F3F4}';
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

/** Keeps tag characters only as a flag's (🏴 then tags ending in CANCEL TAG): elsewhere they hide text. */
function flagTags(text: string): string {
  return text.replace(TAGS, (run, at: number, s: string) => (lastCodePoint(s, at) === BLACK_FLAG && run.endsWith('\u{E007F}') ? run : ''));
}

const capMarks = (text: string) => text.replace(MARK_RUNS, run => [...run].slice(0, MAX_MARKS_IN_A_ROW).join(''));

const withoutLoneSurrogates = (text: string) => text.replace(LONE_SURROGATES, '');

/** A message's text: bidi controls and invisible characters go (joiners stay where they join, tags in a flag), marks are capped. */
export function cleanMessage(text: string): string {
  return capMarks(meaningfulJoiners(flagTags(withoutLoneSurrogates(text).replace(BIDI_CONTROLS, '').replace(INVISIBLE, '').replace(HIDING_IN_MESSAGES, ''))));
}

/** A name's text (without lone surrogates: names refuse them): every bidi control and invisible character goes, joiners too; marks are capped. */
export function cleanName(text: string): string {
  return capMarks(text.replace(BIDI_CONTROLS, '').replace(INVISIBLE, '').replace(JOINERS, '').replace(IGNORABLE, ''));
}
