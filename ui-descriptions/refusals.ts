// The chat's refusals, as English msgids the catalogs translate.
import { ChatError, type ChatErrorCode } from '../chat/errors.ts';
import type { Ui } from '../core/session.ts';

export const REFUSALS: Record<ChatErrorCode, string> = {
  'name-invalid': 'Names are 1 to 32 letters, digits, dots, dashes or underscores.',
  'name-reserved': 'That name is reserved.',
  'name-taken': 'That name is taken. Please pick another one.',
  'mixed-scripts': 'A name cannot mix alphabets, such as Latin and Cyrillic letters.',
  'password-required': 'This name is registered: enter its password.',
  'wrong-password': 'Wrong password.',
  'password-invalid': 'Passwords are 4 to 256 characters.',
  'channel-invalid': 'Channel names are 1 to 40 letters, digits, dots, dashes or underscores.',
  'channel-exists': 'A channel with that name exists already.',
  'no-such-channel': 'There is no such channel.',
  empty: 'Type something first.',
  'too-long': 'Messages are limited to {max} characters.',
  'no-such-message': 'That message is gone.',
  'not-allowed': 'You are not allowed to do that.',
  'rate-limited': 'Slow down: too many attempts. Try again in a moment.',
  'not-signed-in': 'Please sign in again.',
};

/** The translated text for a chat refusal; anything else is not a refusal and is rethrown. */
export function refusal(ui: Ui<unknown>, err: unknown): string {
  if (!(err instanceof ChatError)) throw err;
  const params = err.params && Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, typeof v === 'number' ? v.toLocaleString(ui.language) : v]));
  return ui.t(REFUSALS[err.code], params);
}
