// Every refusal of the chat backend is a ChatError with a stable code the screens translate.
export type ChatErrorCode =
  | 'name-invalid' | 'name-reserved' | 'name-taken' | 'mixed-scripts' | 'password-required' | 'wrong-password' | 'password-invalid'
  | 'channel-invalid' | 'channel-exists' | 'no-such-channel'
  | 'empty' | 'too-long' | 'no-such-message' | 'not-allowed' | 'rate-limited' | 'not-signed-in';

export class ChatError extends Error {
  /** `params` fill the placeholders of the translated refusal (`{max}`). */
  constructor(readonly code: ChatErrorCode, message?: string, readonly params?: Record<string, number | string>) {
    super(message ?? code);
  }
}
