// The key that signs session cookies: PALAVER_SECRET, else one generated once into the data
// directory with mode 0600, so that cookies stay valid across restarts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadSecret(dataDir: string, env = process.env.PALAVER_SECRET): string {
  if (env) {
    if (env.length < 32) throw new Error('PALAVER_SECRET must be at least 32 characters');
    return env;
  }
  const file = join(dataDir, 'secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
