// The actions the chat's descriptions call, by name.
import { ChatError } from '../chat/errors.ts';
import type { Action } from '../core/library.ts';
import { note, openChannel, showLatest, showOlder } from './chat-view.ts';
import { refusal } from './refusals.ts';
import { loginOf, type ChatState, type ChatUi } from './state.ts';

const text = (ui: ChatUi, name: string) => String(ui.get(name, 'text') ?? '');

/** Signs in with what the login screen holds, or shows why not. */
export async function signIn(ui: ChatUi, user: string, password: string | undefined): Promise<string | null> {
  // However it arrives (the login screen, a protocol `auth`), an attempt counts against the
  // limit of its address; one refused for that changes nothing.
  if (!ui.takeSignInAttempt()) return refusal(ui, new ChatError('rate-limited'));
  // A session holds one sign-in: a new one ends the earlier first (its token stops resuming, it
  // leaves Here now, its name is free again), also when the new one is then refused.
  if (ui.user || ui.state.login) await ui.signOut();
  try {
    const login = await ui.state.chat.signIn(user, password || undefined);
    ui.state.login = login;
    await ui.signIn({ name: login.name, token: login.token });
    return null;
  } catch (err) {
    return refusal(ui, err);
  }
}

export const actions: Record<string, Action<ChatState>> = {
  'sign-in': async (ui) => {
    const error = await signIn(ui, text(ui, 'username'), text(ui, 'password'));
    if (error !== null) { ui.set('error', 'text', error); ui.set('password', 'text', ''); }
  },

  'sign-out': async (ui) => { await ui.signOut(); },

  'open-channel': async (ui, ev) => {
    if (!ev.item) return;
    try { await openChannel(ui, ev.item); } catch (err) { note(ui, refusal(ui, err)); }
  },

  say: async (ui) => {
    const { chat, channel } = ui.state;
    if (!channel) return;
    try {
      await chat.send(loginOf(ui), channel.key, text(ui, 'message'));
      ui.set('message', 'text', '');
      if (ui.state.paging) await showLatest(ui);
    } catch (err) {
      note(ui, refusal(ui, err));   // the typed text stays where it was
    }
  },

  older: (ui) => showOlder(ui),
  latest: (ui) => showLatest(ui),

  'delete-message': async (ui, ev) => {
    const value = ev.item;
    if (!value?.startsWith('m')) return;                     // announcements are not messages
    if (ui.getItem('messages', value)?.mine !== true) return note(ui, ui.t('You can only delete your own messages.'));
    if ((await ui.popup('confirm-delete')) !== 'yes') return;
    try { await ui.state.chat.deleteMessage(loginOf(ui), Number(value.slice(1))); } catch (err) { note(ui, refusal(ui, err)); }
  },

  'open-new-channel': async (ui) => {
    // A button shown a moment ago may be stale, or the click forged: the chat decides.
    if (!(await ui.state.chat.canCreateChannels(loginOf(ui)))) return note(ui, refusal(ui, new ChatError('not-allowed')));
    const key = await ui.popup('new-channel');
    if (typeof key === 'string') await openChannel(ui, key);
  },

  'create-channel': async (ui) => {
    try {
      const ch = await ui.state.chat.createChannel(loginOf(ui), text(ui, 'name'));
      ui.close(ch.key);
    } catch (err) {
      ui.set('error', 'text', refusal(ui, err));
    }
  },

  'open-register': async (ui) => {
    // The chat announces the registration: every session of this user hides the button then.
    if ((await ui.popup('register')) !== 'saved') return;
    note(ui, ui.t('Your name is registered: sign in with your password from now on.'));
  },

  'save-password': async (ui) => {
    const password = text(ui, 'password');
    if (password !== text(ui, 'repeat')) return ui.set('error', 'text', ui.t('The two passwords differ.'));
    try {
      await ui.state.chat.registerPassword(loginOf(ui), password);
      ui.close('saved');
    } catch (err) {
      ui.set('error', 'text', refusal(ui, err));
    }
  },

  'open-send-alert': async (ui) => {
    if (!(await ui.state.chat.isAdmin(loginOf(ui)))) return note(ui, refusal(ui, new ChatError('not-allowed')));
    await ui.popup('send-alert');
  },

  'send-alert': async (ui) => {
    try {
      // The alert reaches this session too, as a task that runs after this popup has closed.
      await ui.state.chat.alert(loginOf(ui), text(ui, 'text'));
      ui.close('sent');
    } catch (err) {
      ui.set('error', 'text', refusal(ui, err));
    }
  },
};

