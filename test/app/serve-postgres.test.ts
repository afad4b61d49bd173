// `palaver serve --database postgres://…` as an operator runs it, against a real PostgreSQL the
// test starts: what is said survives a restart of the server; a database lost while serving
// refuses requests cleanly and the server recovers when it is back; a database that cannot be
// reached at start is one clear line; `palaver grant --database` reaches a running chat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serveOptions } from '../../app/serve.ts';
import { MemoryBus } from '../../chat/bus.ts';
import { Chat, CREATE_CHANNEL } from '../../chat/chat.ts';
import { ChatError } from '../../chat/errors.ts';
import { PostgresStore } from '../../chat/postgres-store.ts';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { tempDir } from '../support/chat.ts';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.ts';

const BIN = fileURLToPath(new URL('../../bin/palaver.js', import.meta.url));
const run = promisify(execFile);
const skip = postgresMissing();
let pg: PostgresServer;
const cleanup: (() => unknown)[] = [];
before(async () => { if (!skip) pg = await startPostgres(); });
after(async () => {
  for (const c of cleanup.reverse()) await c();
  await pg?.stop();
});

/** `palaver serve` as a child process; resolves once it logs its start line. */
async function serve(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>(r => child.once('exit', () => r()));
  let out = '';
  let err = '';
  child.stdout!.on('data', d => { out += d; });
  child.stderr!.on('data', d => { err += d; });
  const stop = async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); await exited; };
  cleanup.push(stop);
  const deadline = Date.now() + 30_000;
  while (!/"event":"start"/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`palaver serve did not start: ${out}${err}`);
    await new Promise(r => setTimeout(r, 20));
  }
  const start = JSON.parse(out.split('\n').find(l => l.includes('"event":"start"'))!) as { url: string; database: string };
  return { url: start.url, start, stop, alive: () => child.exitCode === null, log: () => out, stderr: () => err };
}

async function say(client: RemoteHeadless, text: string) {
  client.driver.type('message', text);
  client.driver.click('send');
}

const shows = (client: RemoteHeadless, text: string) => client.driver.items('messages').some(a => a.text === text);

test('--database and --database-pool (and PALAVER_DATABASE): a postgres URL or nothing; anything else is refused before starting', async () => {
  assert.equal(serveOptions([], {}).database, undefined, 'SQLite by default');
  assert.equal(serveOptions(['--database', 'postgresql://u@db/chat'], {}).database, 'postgresql://u@db/chat');
  assert.equal(serveOptions([], { PALAVER_DATABASE: 'postgres://u:p@db/chat' }).database, 'postgres://u:p@db/chat');
  assert.equal(serveOptions([], {}).databasePool, 10);
  assert.equal(serveOptions(['--database-pool', '25'], {}).databasePool, 25);
  assert.throws(() => serveOptions(['--database-pool', '0'], {}), /--database-pool: not a whole number from 1 to 1000/);
  assert.throws(() => serveOptions(['--database', 'mysql://u:secret@db/chat'], {}), (e: Error) => e.message === '--database: only PostgreSQL is supported (postgres://…), not mysql://');
  assert.throws(() => serveOptions(['--database', 'chat.db'], {}), (e: Error) => e.message === '--database: not a URL (expected postgres://user:password@host:port/database)');
  const r = await run(process.execPath, [BIN, 'serve', '--port', '0', '--data', await tempDir(), '--database', 'sqlite:///x.db'])
    .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'palaver serve: --database: only PostgreSQL is supported (postgres://…), not sqlite://\n');
});

test('serve --database on a PostgreSQL that is not there: one clear line, no password, no stack trace', { skip }, async () => {
  const url = (await pg.createDatabase()).replace(/\/t_\d+$/, '/missing').replace('palaver@', 'palaver:hunter2@');
  const r = await run(process.execPath, [BIN, 'serve', '--port', '0', '--data', await tempDir(), '--database', url])
    .then(() => ({ code: 0, stderr: '', stdout: '' }), (e: { code: number; stderr: string; stdout: string }) => e);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `palaver serve: cannot open the database postgres://palaver:***@127.0.0.1:${pg.port}/missing: database "missing" does not exist\n`);
  assert.doesNotMatch(r.stdout + r.stderr, /hunter2|\n\s+at /);
});

test('serve --database: a message and a sign-in survive a restart of the server', { skip }, async () => {
  const database = await pg.createDatabase();
  const data = await tempDir('palaver-serve-pg-');
  const first = await serve(['--data', data, '--database', database]);
  assert.equal(first.start.database, database, 'the start line says which database (it has no password here)');
  const ann = new RemoteHeadless(first.url);
  cleanup.push(() => ann.close());
  await ann.connect();
  await ann.signIn('ann');
  await say(ann, 'kept in PostgreSQL 🐘');
  await ann.until(() => shows(ann, 'kept in PostgreSQL 🐘'), 'the message shown');
  const cookie = ann.cookie!;
  await ann.close();
  await first.stop();

  const second = await serve(['--data', data, '--database', database]);
  const back = new RemoteHeadless(second.url, { cookie });
  cleanup.push(() => back.close());
  await back.connect();
  await back.until(() => back.driver.has('messages') && shows(back, 'kept in PostgreSQL 🐘'), 'the message after the restart', 10_000);
  assert.equal(back.driver.signInAsked, false, 'still signed in: the sign-in was in the database');
  const bob = new RemoteHeadless(second.url);
  cleanup.push(() => bob.close());
  await bob.connect();
  await bob.signIn('ann');
  assert.ok(bob.driver.errors.some(e => e.code === 'auth-failed'), 'ann is still held by her sign-in');
});

test('the database lost while serving: sends are refused as internal errors and logged, the server stays up, and works again once it is back', { skip }, async () => {
  const database = await pg.createDatabase();
  const s = await serve(['--data', await tempDir('palaver-serve-pg-'), '--database', database]);
  const cy = new RemoteHeadless(s.url);
  cleanup.push(() => cy.close());
  await cy.connect();
  await cy.signIn('cy');
  await say(cy, 'before');
  await cy.until(() => shows(cy, 'before'), 'a message before');

  await pg.down();
  const refusals = cy.driver.errors.length;
  await say(cy, 'while it is down');
  await cy.until(() => cy.driver.errors.slice(refusals).some(e => e.code === 'internal'), 'an internal error', 15_000);
  assert.ok(s.alive(), 'the server is up');
  assert.equal((await fetch(new URL('/healthz', s.url)).then(r => r.json()) as { status: string }).status, 'ok');
  assert.ok(s.log().split('\n').some(l => l.includes('"event":"error"') && l.includes('"level":50') && l.includes('"session"') && l.includes('ECONNREFUSED')), 'the failed send logged as an error');
  assert.ok(!shows(cy, 'while it is down'));

  await pg.up();
  await say(cy, 'after');
  await cy.until(() => shows(cy, 'after'), 'a message once the database is back', 15_000);
  assert.ok(s.alive());
  assert.equal(s.stderr(), '', 'nothing on stderr');
});

test('palaver grant --database reaches a chat running on that database', { skip }, async () => {
  const database = await pg.createDatabase();
  const store = await PostgresStore.open(database);
  const chat = await new Chat(store, new MemoryBus(), { restrictChannels: true, grantsPollMs: 50 }).init();
  cleanup.push(async () => { chat.close(); await store.close(); });
  const dee = await chat.signIn('dee', 'dees-password');
  const notAllowed = (e: unknown) => e instanceof ChatError && e.code === 'not-allowed';
  await assert.rejects(chat.createChannel(dee, 'before'), notAllowed);
  assert.equal((await run(process.execPath, [BIN, 'grant', 'Dee', '--database', database])).stdout, 'Dee may now create channels.\n');
  assert.equal((await chat.createChannel(dee, 'after')).name, 'after');
  const changes: string[] = [];
  await chat.bus.subscribeGlobal(e => { if (e.type === 'permissions') changes.push(e.key); });
  await run(process.execPath, [BIN, 'grant', 'dee', '--revoke', '--database', database]);
  const deadline = Date.now() + 10_000;
  while (!changes.includes('dee')) {
    assert.ok(Date.now() < deadline, 'the running chat announced the revoke');
    await new Promise(r => setTimeout(r, 20));
  }
  assert.equal(await store.hasGrant('dee', CREATE_CHANNEL), false);
  await assert.rejects(chat.createChannel(dee, 'again'), notAllowed);
  const refused = await run(process.execPath, [BIN, 'grant', 'dee', '--database', 'redis://x']).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.equal(refused?.code, 2);
  assert.equal(refused?.stderr, 'palaver grant: --database: only PostgreSQL is supported (postgres://…), not redis://\n');
});
