// The chat as an application of the core: its descriptions, actions, translations, and what
// happens when a session starts and ends.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Chat } from '../chat/chat.ts';
import { Catalogs, type Catalog } from '../core/i18n.ts';
import { loadLibrary } from '../core/library.ts';
import type { Application } from '../core/session.ts';
import { actions, signIn } from './actions.ts';
import { enterMain, leaveChannel } from './chat-view.ts';
import type { ChatState, ChatUi } from './state.ts';

export const UI_DIR = fileURLToPath(new URL('.', import.meta.url));
const LOCALES = new URL('./locales/', import.meta.url);

export function loadCatalogs(): Catalogs {
  const catalogs: Record<string, Catalog> = {};
  for (const f of readdirSync(LOCALES)) {
    if (f.endsWith('.json')) catalogs[f.slice(0, -5)] = JSON.parse(readFileSync(new URL(f, LOCALES), 'utf8'));
  }
  return new Catalogs(catalogs);
}

export async function createChatApp(chat: Chat): Promise<Application<ChatState>> {
  const library = await loadLibrary(UI_DIR, actions);
  return {
    library,
    catalogs: loadCatalogs(),
    initialState: () => ({ chat, login: null, presenceId: randomUUID(), channel: null, paging: false, lastShown: 0, subscriptions: [], notes: 0 }),

    async start(ui: ChatUi) {
      if (ui.user && !ui.state.login) ui.state.login = await chat.resume(ui.user.token);
      if (ui.user && !ui.state.login) return ui.signOut();     // the sign-in expired meanwhile
      if (!ui.state.login) return ui.show('login');
      await enterMain(ui);
    },

    async end(ui: ChatUi, reason) {
      const login = ui.state.login;
      await leaveChannel(ui);
      for (const unsubscribe of ui.state.subscriptions.splice(0)) await unsubscribe();
      if (!login) return;
      await chat.disconnect(login, ui.state.presenceId);
      // A restart signs nobody out. A detached session that expires signs its user out only if
      // no other session of theirs (another tab) is still connected.
      if (reason === 'sign-out' || reason === 'closed' || (reason === 'expired' && !chat.isOnline(login.name))) await chat.signOut(login);
      ui.state.login = null;
    },

    async resume(token: string) {
      const login = await chat.resume(token);
      return login && { name: login.name, token: login.token };
    },

    authenticate: (ui: ChatUi, user, password) => signIn(ui, user, password),
  };
}
