// The real chat application on the headless driver: one Session per simulated user.
import type { ChatConfig } from '../../chat/chat.ts';
import { Session } from '../../core/session.ts';
import { HeadlessDriver } from '../../drivers/headless/driver.ts';
import { createChatApp } from '../../ui-descriptions/app.ts';
import type { ChatState } from '../../ui-descriptions/state.ts';
import { openChat } from './chat.ts';

export async function chatWorld(config: Partial<ChatConfig> = {}, file = ':memory:') {
  const opened = await openChat(file, config);
  const app = await createChatApp(opened.chat);
  const sessions: Session<ChatState>[] = [];
  const errors: unknown[] = [];

  async function settle() {
    // Bus events post tasks to other sessions: go round until every worker is idle.
    for (let round = 0; round < 10; round++) {
      await Promise.all(sessions.map(s => s.whenIdle()));
      await new Promise(r => setImmediate(r));
      if (sessions.every(s => s.idle)) return;
    }
  }

  async function open(languages: string[] = ['en']) {
    const driver = new HeadlessDriver(languages);
    const session = new Session<ChatState>(app, driver, { onError: e => errors.push(e) });
    sessions.push(session);
    await session.start(null);
    await settle();
    return { driver, session };
  }

  async function signIn(name: string, password?: string, languages?: string[]) {
    const c = await open(languages);
    c.driver.type('username', name);
    if (password) c.driver.type('password', password);
    c.driver.click('enter');
    await settle();
    return c;
  }

  return { ...opened, app, open, signIn, settle, sessions, errors };
}
