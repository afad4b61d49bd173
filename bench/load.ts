// The load generator: its own process, driving one server under test over loopback. It asks
// the coordinator for the server's CPU and memory between phases.
import { performance } from 'node:perf_hooks';
import { makeClient, Tracker, type BenchClient, type Kind } from './clients.ts';
import type { ServerStats } from './servers/control.ts';

export interface Job {
  kind: Kind;
  url: string;
  /** Receiving sessions. */
  n: number;
  /** Messages sent at `rate` per second, for latency. */
  m: number;
  rate: number;
  /** Messages sent back to back, for throughput. */
  burst: number;
  /** Messages sent while every receiver is disconnected. */
  missed: number;
}

export interface Figures {
  kind: Kind;
  n: number;
  connectMs: number;
  memory: { rssBefore: number; rssAfter: number; heapBefore: number; heapAfter: number; kbPerSession: number; heapKbPerSession: number };
  fanout: { p50: number; p99: number; max: number; complete: boolean };
  throughput: { deliveriesPerSec: number; cpuMsPer1000: number; complete: boolean };
  reconnect: { ms: number; bytes: number; complete: boolean; missedReplayed: boolean };
  verified: { ok: boolean; problems: string[] };
}

const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function runJob(job: Job, serverStats: () => Promise<ServerStats>): Promise<Figures> {
  const tracker = new Tracker(job.n);
  const sender = makeClient(job.kind, job.url, 'sender', null);
  const receivers: BenchClient[] = Array.from({ length: job.n }, (_, i) => makeClient(job.kind, job.url, `r${i}`, tracker));

  const before = await serverStats();
  const t0 = performance.now();
  await sender.connect();
  await inBatches(receivers, 100, c => c.connect());
  const connectMs = performance.now() - t0;
  await sleep(1000);
  const idle = await serverStats();

  // Fan-out at a fixed rate: time until every receiver has each message.
  let k = 0;
  const start = performance.now();
  for (let i = 0; i < job.m; i++) {
    const due = start + (i * 1000) / job.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    tracker.sent.set(k, performance.now());
    sender.send(k++);
  }
  const fanComplete = (await Promise.all([...tracker.sent.keys()].map(x => tracker.all(x, 60_000)))).every(Boolean);
  const latencies = [...tracker.sent.keys()].filter(x => tracker.done.has(x)).map(x => tracker.done.get(x)! - tracker.sent.get(x)!);

  // Throughput: a burst sent back to back; deliveries per second and server CPU per 1,000.
  await sleep(500);
  const cpu0 = (await serverStats()).cpuMs;
  const burstStart = performance.now();
  const burstKeys: number[] = [];
  for (let i = 0; i < job.burst; i++) { burstKeys.push(k); tracker.sent.set(k, performance.now()); sender.send(k++); }
  const burstComplete = (await Promise.all(burstKeys.map(x => tracker.all(x, 120_000)))).every(Boolean);
  const burstEnd = Math.max(...burstKeys.map(x => tracker.done.get(x) ?? performance.now()));
  const cpu1 = (await serverStats()).cpuMs;
  const deliveries = job.n * job.burst;

  // Reconnect: everybody drops; some messages are sent meanwhile; everybody comes back at once.
  await sleep(500);
  await Promise.all(receivers.map(c => c.drop()));
  const missedKeys: number[] = [];
  for (let i = 0; i < job.missed; i++) { missedKeys.push(k); tracker.sent.set(k, performance.now()); sender.send(k++); }
  await sleep(300);
  const bytes0 = receivers.reduce((s, c) => s + c.bytes, 0);
  const r0 = performance.now();
  await Promise.all(receivers.map(c => c.resume()));
  const replayed = job.kind === 'floor' ? false : (await Promise.all(missedKeys.map(x => tracker.all(x, 30_000)))).every(Boolean);
  const reconnectMs = performance.now() - r0;
  await sleep(200);
  const bytes = receivers.reduce((s, c) => s + c.bytes, 0) - bytes0;

  // Every receiver got every message once, in order (the floor cannot resume: it misses those sent while away).
  const expected = [...Array(k).keys()].filter(x => job.kind !== 'floor' || !missedKeys.includes(x));
  const problems: string[] = [];
  receivers.forEach((c, i) => {
    if (c.got.length !== expected.length || c.got.some((x, j) => x !== expected[j])) {
      if (problems.length < 5) problems.push(`receiver ${i}: got ${c.got.length} of ${expected.length} (first difference at ${c.got.findIndex((x, j) => x !== expected[j])})`);
    }
  });
  for (const c of [sender, ...receivers]) c.close();

  const kb = (b: number) => round(b / 1024 / job.n, 1);
  return {
    kind: job.kind, n: job.n, connectMs: round(connectMs, 0),
    memory: {
      rssBefore: before.rss, rssAfter: idle.rss, heapBefore: before.heapUsed, heapAfter: idle.heapUsed,
      kbPerSession: kb(idle.rss - before.rss), heapKbPerSession: kb(idle.heapUsed + idle.external - before.heapUsed - before.external),
    },
    fanout: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(Math.max(...latencies)), complete: fanComplete },
    throughput: { deliveriesPerSec: Math.round(deliveries / ((burstEnd - burstStart) / 1000)), cpuMsPer1000: round((cpu1 - cpu0) / (deliveries / 1000), 2), complete: burstComplete },
    reconnect: { ms: round(reconnectMs, 0), bytes, complete: true, missedReplayed: replayed },
    verified: { ok: problems.length === 0, problems },
  };
}

// As a child process: take one job, ask the parent for server stats, report the figures.
if (process.send) {
  let nextId = 0;
  const pending = new Map<number, (s: ServerStats) => void>();
  process.on('message', (m: { job?: Job; id?: number; stats?: ServerStats }) => {
    if (m.stats && m.id !== undefined) { pending.get(m.id)?.(m.stats); pending.delete(m.id); return; }
    if (!m.job) return;
    const ask = () => new Promise<ServerStats>(r => { const id = nextId++; pending.set(id, r); process.send!({ ask: 'stats', id }); });
    runJob(m.job, ask).then(
      figures => process.send!({ figures }, () => process.exit(0)),
      err => process.send!({ error: String(err?.stack ?? err) }, () => process.exit(1)),
    );
  });
}
