// `palaver grant NAME [--revoke] [--data DIR | --database URL]`: lets a registered NAME create
// channels when creation is restricted (or takes it back). Works beside running servers: the
// store takes the write, and each server shows or hides the button in NAME's open sessions.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CREATE_CHANNEL } from '../chat/chat.ts';
import { ChatError } from '../chat/errors.ts';
import { userName } from '../chat/names.ts';
import { DatabaseError } from '../chat/postgres-store.ts';
import type { ChatStore } from '../chat/store.ts';
import { databaseUrl, openStore } from './database.ts';

export async function grantCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      revoke: { type: 'boolean', default: false },
      data: { type: 'string', default: process.env.PALAVER_DATA ?? './data' },
      database: { type: 'string', default: process.env.PALAVER_DATABASE ?? '' },
    },
  });
  if (positionals.length !== 1) { process.stderr.write('usage: palaver grant NAME [--revoke] [--data DIR | --database URL]\n'); return 2; }
  let url: string | undefined;
  try {
    url = values.database ? databaseUrl(values.database) : undefined;
  } catch (e) {
    process.stderr.write(`palaver grant: ${(e as Error).message}\n`);
    return 2;
  }
  let key: string;
  let name: string;
  try {
    ({ key, display: name } = userName(positionals[0]));
  } catch (e) {
    if (!(e instanceof ChatError)) throw e;
    process.stderr.write(`palaver grant: ${JSON.stringify(positionals[0])} is not a valid name (${e.code})\n`);
    return 2;
  }
  let store: ChatStore;
  try {
    store = await openStore({ dataDir: resolve(values.data!), url, poolSize: 1 });
  } catch (e) {
    if (!(e instanceof DatabaseError)) throw e;
    process.stderr.write(`palaver grant: ${e.message}\n`);
    return 1;
  }
  try {
    if (values.revoke) {
      await store.revoke(key, CREATE_CHANNEL);
    } else {
      // Whoever first signs in under an unregistered name would get the grant: refuse it.
      const user = await store.getUser(key);
      if (!user?.passwordHash) {
        process.stderr.write(`palaver grant: ${name} is not registered with a password; they must sign in and choose "Keep my name" first.\n`);
        return 1;
      }
      await store.grant(key, CREATE_CHANNEL, 'console', Date.now());
    }
  } finally {
    await store.close();
  }
  // A running server notices within a second (see Chat.pollGrants) and updates open sessions.
  process.stdout.write(values.revoke ? `${name} may no longer create channels.\n` : `${name} may now create channels.\n`);
  return 0;
}
