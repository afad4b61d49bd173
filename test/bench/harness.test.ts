// The benchmark harness, run small, as a check of the harness itself (not of speed): every
// client of every server gets every message once, in order, and the figures are all there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kind } from '../../bench/clients.ts';
import { benchServer } from '../../bench/harness.ts';

for (const kind of ['palaver', 'floor', 'peer'] as Kind[]) {
  test(`bench harness, ${kind}: every client received every message once, in order`, async () => {
    const f = await benchServer(kind, { n: 12, m: 6, rate: 50, burst: 6, missed: 2 });
    assert.deepEqual(f.verified, { ok: true, problems: [] });
    assert.equal(f.fanout.complete, true);
    assert.equal(f.throughput.complete, true);
    assert.equal(f.reconnect.missedReplayed, kind !== 'floor', 'only the floor cannot replay what was missed');
    for (const x of [f.fanout.p50, f.fanout.p99, f.throughput.deliveriesPerSec, f.throughput.cpuMsPer1000, f.reconnect.ms]) assert.ok(Number.isFinite(x) && x >= 0);
    assert.ok(f.memory.rssAfter > 0 && f.memory.heapAfter > 0);
    if (kind === 'palaver') assert.ok(f.reconnect.bytes > 0 && f.reconnect.bytes < 12 * 4000, 'a resume replays only what was missed');
  });
}
