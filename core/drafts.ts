// How much of a user's unsent text (an `input` frame's draft) a session keeps.

/** The draft bound for a text box without max-length, in code points. */
export const MAX_DRAFT = 4096;

/** True when `value` is text longer than a draft may be: twice `maxLength` if set, else MAX_DRAFT code points. */
export function tooLongForDraft(value: unknown, maxLength: unknown): boolean {
  if (typeof value !== 'string') return false;
  const bound = typeof maxLength === 'number' && maxLength > 0 ? 2 * maxLength : MAX_DRAFT;
  // UTF-16 length bounds the code point count from above: most drafts need no counting.
  if (value.length <= bound) return false;
  let count = 0;
  for (const _ of value) if (++count > bound) return true;
  return false;
}
