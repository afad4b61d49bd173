// A sliding-window limiter shared by every process on one Redis, with RateLimiter's meaning: at
// most `count` hits per `windowMs` for each key, a refused hit not recorded. A key's hits are a
// sorted set scored by Redis's clock (the processes' clocks may disagree); checking and recording
// are one Lua script, so concurrent takes from any number of processes cannot pass the limit
// together. A key expires one window after its last hit, so Redis holds only active keys.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Limiter } from './rate-limit.ts';
import { RedisScript } from './redis-script.ts';

// KEYS: the key's hits. ARGV: count, window (ms), a member unique to this hit.
const takeScript = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

export class RedisLimiter implements Limiter {
  /**
   * `name` tells this limiter's keys from another's (`messages`, `passwords`); `redis` is a
   * connection that fails at once while Redis is away (RedisBus's `redis`), so that a take
   * then rejects instead of waiting: the caller refuses, it does not let the hit through.
   */
  constructor(
    private readonly redis: Redis,
    private readonly name: string,
    private readonly limit: { count: number; windowMs: number },
    private readonly prefix = 'palaver:',
  ) {}

  async take(key: string): Promise<boolean> {
    try {
      return (await takeScript.run(this.redis, [this.keyOf(key)], [this.limit.count, this.limit.windowMs, randomBytes(9).toString('base64url')])) === 1;
    } catch (err) {
      throw new Error(`could not check the ${this.name} limit on Redis: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.keyOf(key));
  }

  private keyOf(key: string) {
    return `${this.prefix}limit:${this.name}:${key}`;
  }
}
