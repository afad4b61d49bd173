// What the chat accepts as names and message text, and the key under which a name is unique.
import unhomoglyph from 'unhomoglyph';
import { ChatError } from './errors.ts';
import { singleScript } from './scripts.ts';
import { cleanMessage, cleanName } from './text.ts';

// Letters of any script (with their combining marks), digits, and _ - .
const NAME_CHARS = /^[\p{L}\p{M}\p{Nd}_.\-]+$/u;
const LONE_SURROGATE = /\p{Cs}/u;
// Something to read: a letter or digit (marks alone, `.`, `-` and `_` show as next to nothing).
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
// UTS #39 §5.4: a dot above on a soft-dotted i or j looks like the letter alone (`İ` folds to `i̇`).
const DOT_ON_SOFT_DOTTED = /([ij])\u0307/g;

export interface Name { display: string; key: string }

// As keys, so that their look-alikes are reserved too.
const RESERVED = new Set(['system', 'admin', 'all', 'everyone', 'here'].map(nameKey));

/**
 * The key under which names (and channel names) are unique: names that look alike share it.
 * It is the UTS #39 skeleton (NFD, default-ignorables removed, each character mapped to its
 * prototype in Unicode's confusables table, NFD again) of the case-folded NFKC form, lowercased
 * again because prototypes may be capitals (`0` → `O`). It is a key, not something to show:
 * `m` and `rn` share one.
 */
export function nameKey(s: string): string {
  // Upper then lower folds what lowercasing alone keeps apart (`ı`, final `ς`).
  const folded = s.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFD').replace(IGNORABLE, '').replace(DOT_ON_SOFT_DOTTED, '$1');
  return unhomoglyph(folded).normalize('NFD').toLowerCase();
}

/** The order names are listed in: case-insensitive, as read (not by look-alike key). */
export function sortKey(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

function checked(raw: unknown, max: number, code: 'name-invalid' | 'channel-invalid'): Name {
  // A lone surrogate is not text (JSON lets "\ud800" through): such a name is refused. Past 4×
  // the limit no cleaning could bring it down to size: refused before any work.
  if (typeof raw !== 'string' || raw.length > 4 * max || LONE_SURROGATE.test(raw)) throw new ChatError(code);
  const display = cleanName(raw.normalize('NFKC')).trim();
  const length = [...display].length;
  if (length < 1 || length > max || !NAME_CHARS.test(display) || !LETTER_OR_DIGIT.test(display)) throw new ChatError(code);
  if (!singleScript(display)) throw new ChatError('mixed-scripts');
  const key = nameKey(display);
  // A name no one could tell from nothing could never be opened or told apart.
  if (!key) throw new ChatError(code);
  return { display, key };
}

/** A username: 1–32 characters after NFKC: letters, digits, `_`, `-`, `.`, at least one letter or digit; one script; not reserved. */
export function userName(raw: unknown): Name {
  const n = checked(raw, 32, 'name-invalid');
  if (RESERVED.has(n.key)) throw new ChatError('name-reserved');
  return n;
}

/** A channel name: 1–40 characters, the same alphabet and script rule as usernames. */
export function channelName(raw: unknown): Name {
  return checked(raw, 40, 'channel-invalid');
}

/**
 * Message text: cleaned (see text.ts), trimmed, control characters other than newline and tab
 * removed, 1 to `max` characters (code points). Longer text is refused, never cut.
 */
export function messageText(raw: unknown, max = 4000): string {
  if (typeof raw !== 'string') throw new ChatError('empty');
  const text = cleanMessage(raw.replace(/\r\n?/g, '\n').replace(/[\p{Cc}\u2028\u2029]/gu, c => (c === '\n' || c === '\t' ? c : ''))).trim();
  if (!text) throw new ChatError('empty');
  if ([...text].length > max) throw new ChatError('too-long', undefined, { max });
  return text;
}
