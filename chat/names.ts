// Names of users and channels: Unicode NFKC, then rules; the key is the case-folded form that
// decides uniqueness.
import { ChatError } from './errors.ts';

const RESERVED = new Set(['system', 'admin', 'all', 'everyone', 'here']);
// Letters of any script (with their combining marks), digits, and _ - .
const NAME_CHARS = /^[\p{L}\p{M}\p{Nd}_.\-]+$/u;

export interface Name { display: string; key: string }

export function nameKey(s: string): string {
  return s.normalize('NFKC').toLowerCase().normalize('NFKC');
}

function checked(raw: unknown, max: number, code: 'name-invalid' | 'channel-invalid'): Name {
  if (typeof raw !== 'string') throw new ChatError(code);
  const display = raw.normalize('NFKC').trim();
  const length = [...display].length;
  if (length < 1 || length > max || !NAME_CHARS.test(display)) throw new ChatError(code);
  return { display, key: nameKey(display) };
}

/** A username: 1–32 characters after NFKC: letters, digits, `_`, `-`, `.`; not reserved. */
export function userName(raw: unknown): Name {
  const n = checked(raw, 32, 'name-invalid');
  if (RESERVED.has(n.key)) throw new ChatError('name-reserved');
  return n;
}

/** A channel name: 1–40 characters, the same alphabet as usernames. */
export function channelName(raw: unknown): Name {
  return checked(raw, 40, 'channel-invalid');
}

/** Message text: trimmed, control characters other than newline and tab removed, 1–4,000 characters. */
export function messageText(raw: unknown, max = 4000): string {
  if (typeof raw !== 'string') throw new ChatError('empty');
  const text = raw.replace(/\r\n?/g, '\n').replace(/[\p{Cc}\u2028\u2029]/gu, c => (c === '\n' || c === '\t' ? c : '')).trim();
  if (!text) throw new ChatError('empty');
  if ([...text].length > max) throw new ChatError('too-long');
  return text;
}
