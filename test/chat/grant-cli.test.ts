import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CREATE_CHANNEL } from '../../chat/chat.ts';
import { ChatError } from '../../chat/errors.ts';
import { openChat, tempDir } from '../support/chat.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/palaver.js', import.meta.url).pathname;

test('palaver grant lets a user create channels when creation is restricted, and --revoke takes it back', async () => {
  const dir = await tempDir();
  const file = join(dir, 'palaver.db');
  const first = await openChat(file, { restrictChannels: true });
  const bob = await first.chat.signIn('bob', 'bobpass');
  await assert.rejects(first.chat.createChannel(bob, 'before'), (e: unknown) => e instanceof ChatError && e.code === 'not-allowed');
  const granted = await run(process.execPath, [BIN, 'grant', 'Bob', '--data', dir]);
  assert.equal(granted.stdout, 'Bob may now create channels.\n');
  assert.equal((await first.chat.createChannel(bob, 'after')).name, 'after', 'the running chat sees the grant');
  await run(process.execPath, [BIN, 'grant', 'bob', '--revoke', '--data', dir]);
  await assert.rejects(first.chat.createChannel(bob, 'again'), (e: unknown) => e instanceof ChatError && e.code === 'not-allowed');
  await assert.rejects(run(process.execPath, [BIN, 'grant', 'no spaces', '--data', dir]), (e: { stderr: string; code: number }) => e.code === 2 && /not a valid name \(name-invalid\)/.test(e.stderr));
  first.chat.close();
  await first.store.close();
});

test('palaver grant refuses a name not registered with a password: whoever signs in under it first would get the grant', async () => {
  const dir = await tempDir();
  const opened = await openChat(join(dir, 'palaver.db'), { restrictChannels: true });
  const eve = await opened.chat.signIn('eve');        // signed in, but no password
  await assert.rejects(run(process.execPath, [BIN, 'grant', 'eve', '--data', dir]), (e: { stderr: string; code: number }) =>
    e.code === 1 && e.stderr === 'palaver grant: eve is not registered with a password; they must sign in and choose "Keep my name" first.\n');
  await assert.rejects(run(process.execPath, [BIN, 'grant', 'nobody', '--data', dir]), (e: { code: number }) => e.code === 1);
  assert.deepEqual(await opened.store.listGrants(), [], 'nothing was stored');
  await assert.rejects(opened.chat.createChannel(eve, 'mine'), (e: unknown) => e instanceof ChatError && e.code === 'not-allowed');
  // A grant stored before this rule (an older Palaver) gives an unregistered name nothing, and --revoke removes it.
  await opened.store.grant('eve', CREATE_CHANNEL, 'console', Date.now());
  await assert.rejects(opened.chat.createChannel(eve, 'mine'), (e: unknown) => e instanceof ChatError && e.code === 'not-allowed');
  const revoked = await run(process.execPath, [BIN, 'grant', 'eve', '--revoke', '--data', dir]);
  assert.equal(revoked.stdout, 'eve may no longer create channels.\n');
  assert.deepEqual(await opened.store.listGrants(), []);
  opened.chat.close();
  await opened.store.close();
});
