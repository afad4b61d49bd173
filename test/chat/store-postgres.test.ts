// The store suite (store-suite.ts) on PostgreSQL: a server of the test's own, a fresh database
// per case. And what only PostgreSQL has: migrations raced by several processes, a database
// that cannot be reached, and a statement that waits too long.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { DatabaseError, POSTGRES_SCHEMA_VERSION, PostgresStore } from '../../chat/postgres-store.ts';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startHoldingProxy } from '../support/redis.ts';
import { storeSuite } from './store-suite.ts';

const skip = postgresMissing();
let server: PostgresServer;
before(async () => { if (!skip) server = await startPostgres(); });
after(async () => { await server?.stop(); });

storeSuite('PostgreSQL', async () => {
  const url = await server.createDatabase();
  return { open: () => PostgresStore.open(url) };
}, { skip });

const T0 = Date.UTC(2026, 10, 21, 9, 30);

test('migrations: five processes opening a new database at once migrate it once; a newer schema is refused', { skip }, async () => {
  const url = await server.createDatabase();
  const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresStore.open(url)));
  try {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      assert.deepEqual((await admin.query('SELECT version FROM palaver_schema')).rows, [{ version: POSTGRES_SCHEMA_VERSION }]);
      await stores[0].addMessage({ channel: 'main', author: 'a', authorKey: 'a', text: 'before', at: T0 });
      await (await PostgresStore.open(url)).close();
      assert.equal((await stores[4].messages('main', 10)).length, 1, 'opening again changes nothing');
      await admin.query('UPDATE palaver_schema SET version = $1', [POSTGRES_SCHEMA_VERSION + 1]);
      await assert.rejects(PostgresStore.open(url), (e: Error) => e instanceof DatabaseError && e.message === `the database is from a newer Palaver (schema ${POSTGRES_SCHEMA_VERSION + 1}, this one knows ${POSTGRES_SCHEMA_VERSION})`);
    } finally { await admin.end(); }
  } finally {
    for (const s of stores) await s.close();
  }
});

test('a database that cannot be opened is one clear line, without the password', { skip }, async () => {
  const closed = await new Promise<number>(r => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => r(port)); }); });
  await assert.rejects(PostgresStore.open(`postgres://palaver:s3cret@127.0.0.1:${closed}/chat`), (e: Error) =>
    e instanceof DatabaseError && e.message === `cannot open the database postgres://palaver:***@127.0.0.1:${closed}/chat: connect ECONNREFUSED 127.0.0.1:${closed}`);
  await assert.rejects(PostgresStore.open(`postgres://palaver:s3cret@127.0.0.1:${server.port}/nope`), (e: Error) =>
    e instanceof DatabaseError && e.message === `cannot open the database postgres://palaver:***@127.0.0.1:${server.port}/nope: database "nope" does not exist`);
});

test('a statement kept waiting (a row locked elsewhere) fails after the statement timeout, and the store goes on', { skip }, async () => {
  const url = await server.createDatabase();
  const store = await PostgresStore.open(url, { statementTimeoutMs: 300 });
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  try {
    await store.claimName({ tokenHash: 'h1', userKey: 'ola', name: 'ola', createdAt: T0, expiresAt: T0 + 1 }, null, T0);
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM users WHERE key = 'ola' FOR UPDATE`);
    const started = Date.now();
    await assert.rejects(store.claimName({ tokenHash: 'h2', userKey: 'ola', name: 'ola', createdAt: T0, expiresAt: T0 + 10 }, null, T0 + 5), /statement timeout/);
    assert.ok(Date.now() - started < 5000, 'refused, not held');
    await holder.query('ROLLBACK');
    assert.equal(await store.claimName({ tokenHash: 'h3', userKey: 'ola', name: 'ola', createdAt: T0, expiresAt: T0 + 10 }, null, T0 + 5), 'ok');
    assert.equal(await store.getLogin('h2'), null);
  } finally {
    await holder.end();
    await store.close();
  }
});

test('a database that stops answering fails each request within the timeouts, and serves again once it answers', { skip }, async () => {
  const url = new URL(await server.createDatabase());
  const proxy = await startHoldingProxy(server.port);
  url.port = new URL(proxy.url).port;
  const store = await PostgresStore.open(url.toString(), { statementTimeoutMs: 300, connectTimeoutMs: 500 });
  try {
    await store.addMessage({ channel: 'main', author: 'pat', authorKey: 'pat', text: 'first', at: T0 });
    proxy.hold();
    const started = Date.now();
    const stuck = await Promise.allSettled([store.getUser('pat'), store.messages('main', 10), store.addMessage({ channel: 'main', author: 'pat', authorKey: 'pat', text: 'held', at: T0 })]);
    assert.ok(stuck.every(r => r.status === 'rejected'), 'every request fails');
    assert.ok(Date.now() - started < 5000, `within the timeouts, not held (${Date.now() - started} ms)`);
    proxy.release();
    assert.ok((await store.messages('main', 10)).some(m => m.text === 'first'), 'it answers again');
  } finally {
    await store.close();
    await proxy.close();
  }
});
