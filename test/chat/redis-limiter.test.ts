// The limiter shared by processes through Redis (password attempts, messages): concurrent takes
// from two processes cannot pass the limit together; a correct password's reset is seen by all.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { RedisBus } from '../../chat/redis-bus.ts';
import { RedisLimiter } from '../../chat/redis-limiter.ts';
import { redisMissing, startRedis } from '../support/redis.ts';

const skip = redisMissing();

/** Two processes on one Redis, each with its own connection. */
async function twoProcesses(t: TestContext) {
  const server = await startRedis();
  const buses = await Promise.all([0, 1].map(() => RedisBus.open({ url: server.url })));
  // The processes first, then their Redis (else each waits to be cut off).
  t.after(async () => { await Promise.all(buses.map(b => b.close())); await server.stop(); });
  return { server, redis: buses.map(b => b.redis) };
}

test('20 concurrent takes from two processes with a limit of 5: exactly 5 pass', { skip }, async t => {
  const { redis } = await twoProcesses(t);
  const limiters = redis.map(r => new RedisLimiter(r, 'passwords', { count: 5, windowMs: 60_000 }));
  const taken = await Promise.all(Array.from({ length: 20 }, (_, i) => limiters[i % 2].take('alice')));
  assert.equal(taken.filter(Boolean).length, 5);
  assert.equal(await limiters[0].take('bob'), true, 'another key has its own count');
  assert.equal(await new RedisLimiter(redis[0], 'messages', { count: 5, windowMs: 60_000 }).take('alice'), true, 'another limiter too');
  await limiters[1].reset('alice');
  assert.equal(await limiters[0].take('alice'), true, 'a reset on one process counts on the other');
});

test('hits leave the window, then the count starts again', { skip }, async t => {
  const { redis } = await twoProcesses(t);
  const [one, two] = redis.map(r => new RedisLimiter(r, 'messages', { count: 2, windowMs: 1000 }));
  assert.deepEqual([await one.take('k'), await two.take('k'), await one.take('k')], [true, true, false]);
  for (const deadline = Date.now() + 10_000; !(await two.take('k'));) {
    assert.ok(Date.now() < deadline, 'the window never passed');
    await new Promise(r => setTimeout(r, 20));
  }
  assert.deepEqual([await one.take('k'), await two.take('k')], [true, false]);
});

test('while Redis is away a take is refused with a clear error, never let through', { skip }, async t => {
  const { server, redis } = await twoProcesses(t);
  const limiter = new RedisLimiter(redis[0], 'passwords', { count: 5, windowMs: 60_000 });
  await server.down();
  await assert.rejects(limiter.take('alice'), /could not check the passwords limit on Redis/);
});
