import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ChatError } from '../../chat/errors.ts';
import { openChat, tempDir } from '../support/chat.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/palaver.js', import.meta.url).pathname;

test('palaver grant lets a user create channels when creation is restricted, and --revoke takes it back', async () => {
  const dir = await tempDir();
  const file = join(dir, 'palaver.db');
  const first = await openChat(file, { restrictChannels: true });
  const bob = await first.chat.signIn('bob');
  await assert.rejects(first.chat.createChannel(bob, 'before'), (e: unknown) => e instanceof ChatError && e.code === 'not-allowed');
  const granted = await run(process.execPath, [BIN, 'grant', 'Bob', '--data', dir]);
  assert.equal(granted.stdout, 'Bob may now create channels (from their next sign-in).\n');
  assert.equal((await first.chat.createChannel(bob, 'after')).name, 'after', 'the running chat sees the grant');
  await run(process.execPath, [BIN, 'grant', 'bob', '--revoke', '--data', dir]);
  await assert.rejects(first.chat.createChannel(bob, 'again'), (e: unknown) => e instanceof ChatError && e.code === 'not-allowed');
  await assert.rejects(run(process.execPath, [BIN, 'grant', 'no spaces', '--data', dir]), (e: { stderr: string; code: number }) => e.code === 2 && /not a valid name \(name-invalid\)/.test(e.stderr));
  await first.store.close();
});
