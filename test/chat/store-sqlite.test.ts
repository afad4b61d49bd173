// The store suite (store-suite.ts) on SQLite: a database file in a temporary directory.
import { join } from 'node:path';
import { SqliteStore } from '../../chat/sqlite-store.ts';
import { tempDir } from '../support/chat.ts';
import { storeSuite } from './store-suite.ts';

storeSuite('SQLite', async () => {
  const file = join(await tempDir('palaver-store-'), 'palaver.db');
  return { open: async () => new SqliteStore(file) };
});
