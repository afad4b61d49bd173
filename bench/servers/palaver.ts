// Palaver under test: the real server (SQLite in a temporary directory), with the per-user and
// per-connection rate limits lifted so that one sender can drive the fan-out, and `general`
// holding 100 messages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../app/serve.ts';
import { announce, SEED, seedText } from './control.ts';

const running = await startServer({
  host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'palaver-bench-')),
  admins: [], restrictChannels: false, detachedTtlMs: 10 * 60_000,
  chat: { messageLimit: { count: 1e9, windowMs: 1000 } },
  wire: { rates: { event: { burst: 1e9, perSecond: 1e9 }, input: { burst: 1e9, perSecond: 1e9 } } },
  // Every load-generator client comes from 127.0.0.1: one address as far as the limits know.
  sessions: { limits: { sessionsPerAddress: 1e9, newSessionsPerMinute: 1e9, signInsPerMinute: 1e9, socketsPerAddress: 1e9, connectionsPerAddress: 1e9 } },
});
const seeder = await running.chat.signIn('seeder');
for (let i = 0; i < SEED; i++) await running.chat.send(seeder, 'general', seedText(i));
await running.chat.signOut(seeder);
announce(Number(new URL(running.url).port), running.stop);
