// `npm run bench [-- --quick]`: Palaver side by side with a raw ws broadcast server (the floor)
// and a Socket.IO chat server (the peer), each in its own process, driven from a separate load
// generator over loopback. Prints a table with ratios and writes bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { Kind } from './clients.ts';
import { benchDescriptions } from './descriptions.ts';
import { benchServer } from './harness.ts';
import type { Figures } from './load.ts';

const quick = process.argv.includes('--quick') || process.env.npm_config_quick === 'true';
const sizes = quick ? [100, 500] : [1000, 5000];
const plan = quick ? { m: 30, rate: 20, burst: 20, missed: 5 } : { m: 100, rate: 10, burst: 50, missed: 5 };
const kinds: Kind[] = ['palaver', 'floor', 'peer'];

type Row = [string, (f: Figures) => number | string, 'lower' | 'higher' | 'none'];
const rows: Row[] = [
  ['fan-out p50 (ms)', f => f.fanout.p50, 'lower'],
  ['fan-out p99 (ms)', f => f.fanout.p99, 'lower'],
  ['fan-out max (ms)', f => f.fanout.max, 'lower'],
  ['delivered messages / s', f => f.throughput.deliveriesPerSec, 'higher'],
  ['server CPU ms / 1,000 deliveries', f => f.throughput.cpuMsPer1000, 'lower'],
  ['RSS KB / idle session (100 msgs)', f => f.memory.kbPerSession, 'lower'],
  ['heap KB / idle session', f => f.memory.heapKbPerSession, 'lower'],
  ['reconnect: ms until all resumed', f => f.reconnect.ms, 'lower'],
  ['reconnect: bytes to resume', f => f.reconnect.bytes, 'lower'],
  ['missed messages replayed', f => (f.reconnect.missedReplayed ? 'yes' : 'no'), 'none'],
  ['every message once, in order', f => (f.verified.ok ? 'yes' : 'NO'), 'none'],
  ['connect + sign in all (ms)', f => f.connectMs, 'lower'],
];

const pad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const ratio = (a: number | string, b: number | string) => (typeof a === 'number' && typeof b === 'number' && b !== 0 ? (a / b).toFixed(2) : '');

function table(n: number, by: Record<Kind, Figures>): string {
  const lines = [`N = ${n}`, `${'figure'.padEnd(34)}${pad('palaver', 10)}${pad('floor', 10)}${pad('peer', 10)}${pad('P/floor', 9)}${pad('P/peer', 9)}`];
  for (const [label, get] of rows) {
    const [p, f, s] = kinds.map(k => get(by[k]));
    lines.push(`${label.padEnd(34)}${pad(String(p), 10)}${pad(String(f), 10)}${pad(String(s), 10)}${pad(ratio(p, f), 9)}${pad(ratio(p, s), 9)}`);
  }
  return lines.join('\n');
}

const started = Date.now();
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
console.log(`Palaver benchmark${quick ? ' (quick)' : ''}: ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`);
console.log(`plan: N in ${sizes.join(', ')}; ${plan.m} messages at ${plan.rate}/s; a burst of ${plan.burst}; ${plan.missed} sent while disconnected\n`);

const results: Record<string, Record<Kind, Figures>> = {};
for (const n of sizes) {
  const by = {} as Record<Kind, Figures>;
  for (const kind of kinds) {
    process.stdout.write(`  running ${kind} with N = ${n}… `);
    const t = Date.now();
    by[kind] = await benchServer(kind, { n, ...plan });
    console.log(`${((Date.now() - t) / 1000).toFixed(0)} s`);
    for (const p of by[kind].verified.problems) console.log(`    ${p}`);
  }
  results[n] = by;
  console.log(`\n${table(n, by)}\n`);
}
const descriptions = await benchDescriptions();
console.log(`descriptions read and validated: ${descriptions.perSec.toLocaleString('en')} / s (${descriptions.files} files, ${descriptions.bytes} bytes; floor and peer have no equivalent)`);
console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), quick, machine, plan, results, descriptions }, null, 2) + '\n');
