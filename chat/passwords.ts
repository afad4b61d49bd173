// Password hashes: scrypt with a random salt per user, compared in constant time.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS: ScryptOptions = { N: 16384, r: 8, p: 1 };
const KEYLEN = 32;

/**
 * Derivations running at once: 2, so a burst of password checks takes at most 2 cores and 32 MiB
 * of scrypt memory at a time, and leaves libuv's other threads to file and DNS work; the rest wait
 * their turn, first come first served.
 */
export const MAX_CONCURRENT_DERIVATIONS = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_DERIVATIONS) await new Promise<void>(r => waiting.push(r));
  else running++;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line, so no newcomer can overtake it.
    const next = waiting.shift();
    if (next) next(); else running--;
  }
}

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return inTurn(() => new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEYLEN, PARAMS, (err, key) => (err ? reject(err) : resolve(key)))));
}

/** `scrypt$N$r$p$salt$hash`, base64 parts. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, , , , salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'));
  return key.length === expected.length && timingSafeEqual(key, expected);
}
