// What each session of the chat remembers besides its widgets.
import type { Unsubscribe } from '../chat/bus.ts';
import type { Chat, Login } from '../chat/chat.ts';
import type { Channel } from '../chat/store.ts';
import type { Ui } from '../core/session.ts';

export interface ChatState {
  chat: Chat;
  login: Login | null;
  /** This session's identity in the chat's presence (a user may have several sessions). */
  presenceId: string;
  channel: Channel | null;
  /** True while an older page is shown: live messages wait for "back to the latest". */
  paging: boolean;
  /** The newest message id shown live, so that one arriving twice is shown once. */
  lastShown: number;
  subscriptions: Unsubscribe[];
  channelSubscription?: Unsubscribe;
  notes: number;
}

export type ChatUi = Ui<ChatState>;

/** The login, or a refusal if the session is not signed in (a stale event after sign-out). */
export function loginOf(ui: ChatUi): Login {
  if (!ui.state.login) throw new Error('not signed in');
  return ui.state.login;
}
