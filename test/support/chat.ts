// Opens a real chat over real SQLite for tests: a temporary file or ':memory:'.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBus } from '../../chat/bus.ts';
import { Chat, type ChatConfig } from '../../chat/chat.ts';
import { SqliteStore } from '../../chat/sqlite-store.ts';

export async function tempDir(prefix = 'palaver-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A clock tests can move. */
export function fakeClock(start = Date.UTC(2026, 10, 21, 9, 30)) {
  let t = start;
  const now = () => t;
  now.advance = (ms: number) => { t += ms; };
  return now;
}

export async function openChat(file = ':memory:', config: Partial<ChatConfig> = {}, now: () => number = Date.now) {
  const store = new SqliteStore(file);
  const bus = new MemoryBus();
  const chat = await new Chat(store, bus, config, now).init();
  return { chat, store, bus };
}
