// `npm run soak -- [--minutes 30] [--honest 500] [--settle 200] [--session-minutes 2] [--poll-hellos 50000]`
// The real server (`palaver serve`, a child process on loopback) under honest users chatting at a
// human pace while the attacks of issue 10 run in a loop; afterwards, the server's memory must be
// back within 20% of where it was with the honest users alone, no honest message lost, shown twice
// or out of order, and no stack trace in the server's log. One load-generator process (this one).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { attacks, loop, type Tally } from './soak-abuse.ts';
import { HonestUser, Ledger } from './soak-honest.ts';
import { address, sleep, until } from './soak-net.ts';
import { SoakServer } from './soak-server.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    minutes: { type: 'string', default: '30' },
    honest: { type: 'string', default: '500' },
    // "Afterwards" is once what the attacks left behind has ended by its own rules: a long-poll
    // tab is gone 40 s after its last poll, a session nobody signed in to a minute after its
    // connection, a signed-in one (the attacks sign in too) --session-minutes after it.
    settle: { type: 'string', default: '200' },
    'session-minutes': { type: 'string', default: '2' },
    'poll-hellos': { type: 'string', default: '50000' },
  },
});
const minutes = Number(values.minutes);
const honestCount = Number(values.honest);
const settleMs = Number(values.settle) * 1000;
const pollHellos = Number(values['poll-hellos']);
const sessionMinutes = Number(values['session-minutes']);
if (!(minutes > 0) || !(honestCount >= 5) || !(settleMs >= 0) || !(pollHellos >= 0) || !(sessionMinutes > 0)) {
  console.error('usage: soak [--minutes M>0] [--honest N>=5] [--settle SECONDS] [--session-minutes M>0] [--poll-hellos N]');
  process.exit(2);
}

const CHANNELS = ['general', 'random', 'music', 'books', 'games'];
/** Sign-ins are spread over the first minute (a quarter of a short run). */
const rampMs = Math.min(60_000, (minutes * 60_000) / 4);
const RSS_LIMIT = 1.2;
const SAMPLE_MS = 2_000;

const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const mb = (b: number) => Math.round(b / 2 ** 20);
const seconds = () => Math.round(performance.now() / 1000);
const say = (line: string) => console.log(`[${String(seconds()).padStart(5)} s] ${line}`);

const server = new SoakServer(sessionMinutes);
if (!server.logLevelFlag) say('note: this `palaver serve` has no --log-level flag yet; running it with its default logging');
await server.start();
say(`server pid ${server.pid} at ${server.url}, log ${server.logFile}`);
const started = performance.now();
const cpu0 = process.cpuUsage();

const samples: { s: number; rssMb: number; phase: string }[] = [];
let phase = 'sign-in';
const sampler = setInterval(() => samples.push({ s: Math.round((performance.now() - started) / 1000), rssMb: mb(server.rss()), phase }), SAMPLE_MS);
/** The mean RSS over the last `ms`, in bytes: one sample is at the mercy of the collector's timing. */
const rssOver = async (ms: number) => {
  const xs: number[] = [];
  for (const end = Date.now() + ms; Date.now() < end; await sleep(500)) xs.push(server.rss());
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};

// ---- honest users: the first five open the channels, the rest arrive over the ramp ----
const ledger = new Ledger();
const names = (i: number) => (i === 0 ? 'alice' : i === 1 ? 'bobby' : `user${i}`);
const users = Array.from({ length: honestCount }, (_, i) => new HonestUser(server.url, names(i), CHANNELS[i % CHANNELS.length], address(10, Math.floor(i / 4)), ledger));
const joinFailures: string[] = [];
let sending = true;
const talk = async (u: HonestUser) => {
  for (let wait = Math.random() * 60_000; ; wait = 30_000 + Math.random() * 60_000) {
    await until(() => false, wait, () => !sending);
    if (!sending) return;
    u.say();
  }
};
const join = async (u: HonestUser, i: number) => {
  try {
    await u.join(i > 0 && i < CHANNELS.length);
    void talk(u);
  } catch (err) {
    joinFailures.push((err as Error).message);
  }
};
for (let i = 0; i < CHANNELS.length; i++) await join(users[i], i);
await Promise.all(users.slice(CHANNELS.length).map(async (u, k) => {
  await sleep((k / (honestCount - CHANNELS.length)) * rampMs);
  await join(u, k + CHANNELS.length);
}));
say(`${honestCount - joinFailures.length} of ${honestCount} honest users signed in and chatting in ${CHANNELS.length} channels`);
for (const f of joinFailures.slice(0, 5)) say(`  join failed: ${f}`);

await sleep(5_000);
const rssStart = await rssOver(6_000);
say(`RSS with the honest users alone: ${mb(rssStart)} MB`);

// ---- abuse until the end of the run ----
phase = 'abuse';
const abuseEnd = started + minutes * 60_000;
const tallies: Record<string, Tally> = {};
let stopAbuse = false;
const list = attacks({ pollHellos });
const loops = list.map(a => loop(a, { base: server.url, stopping: () => stopAbuse || performance.now() > abuseEnd }, (tallies[a.name] = {})));
say(`${list.length} attacks running in a loop until minute ${minutes}`);
const progress = setInterval(() => say(`RSS ${mb(server.rss())} MB; honest deliveries ${ledger.delivered}; server ${server.alive ? 'alive' : 'GONE'}`), 60_000);
await until(() => performance.now() > abuseEnd || !server.alive, minutes * 60_000 + 1_000);
stopAbuse = true;
await Promise.race([Promise.all(loops), sleep(120_000)]);
clearInterval(progress);

// ---- settle with the honest users still chatting, then measure ----
phase = 'settle';
say(`abuse stopped; settling for ${settleMs / 1000} s`);
await sleep(Math.max(0, settleMs - 6_000));
const rssEnd = server.alive ? await rssOver(6_000) : 0;
sending = false;
phase = 'drain';

// Every (message, user of its channel who was there when it was sent) is a delivery that must happen.
const byChannel = new Map<string, { n: number; at: number }[]>(CHANNELS.map(c => [c, []]));
for (const [n, s] of ledger.sent) byChannel.get(s.channel)!.push({ n, at: s.at });
const expected = users.map(u => byChannel.get(u.channel)!.filter(m => m.at > u.readyAt).map(m => m.n));
// Wait for what is still on its way, re-checking only what is still missing.
let lostSets = users.map((u, i) => expected[i].filter(n => !u.seen.has(n)));
for (const end = Date.now() + 20_000; Date.now() < end && lostSets.some(x => x.length); await sleep(500)) {
  lostSets = lostSets.map((x, i) => (x.length ? x.filter(n => !users[i].seen.has(n)) : x));
}
const expectedDeliveries = expected.reduce((sum, x) => sum + x.length, 0);
const lost = lostSets.reduce((sum, x) => sum + x.length, 0);
const lostMessages = new Set(lostSets.flat()).size;

for (const u of users) u.stop();
clearInterval(sampler);
const serverAlive = server.alive;
const exitCode = await server.stop();
const log = server.readLog();
const cpu = process.cpuUsage(cpu0);
const wallS = (performance.now() - started) / 1000;

const honestErrors: Tally = {};
for (const u of users) for (const [code, c] of Object.entries(u.figures.errors)) honestErrors[code] = (honestErrors[code] ?? 0) + c;
const result = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  plan: { minutes, honest: honestCount, sessionMinutes, channels: CHANNELS.length, rampS: rampMs / 1000, settleS: settleMs / 1000, pollHellosPerRound: pollHellos, logLevelFlag: server.logLevelFlag },
  server: { aliveAtEnd: serverAlive, exitCode, log: server.logFile },
  rss: { startMb: mb(rssStart), endMb: mb(rssEnd), peakMb: Math.max(0, ...samples.map(s => s.rssMb)), ratio: Math.round((rssEnd / rssStart) * 100) / 100, limit: RSS_LIMIT },
  honest: {
    joined: honestCount - joinFailures.length, joinFailures: joinFailures.length,
    messagesSent: ledger.sent.size, expectedDeliveries, delivered: expectedDeliveries - lost, lostDeliveries: lost, lostMessages,
    duplicates: ledger.duplicates, outOfOrder: ledger.outOfOrder,
    latencyMs: { p50: Math.round(percentile(ledger.latencies, 50)), p99: Math.round(percentile(ledger.latencies, 99)), max: Math.round(ledger.latencies.reduce((a, b) => (b > a ? b : a), 0)) },
    reconnects: users.reduce((s, u) => s + u.figures.reconnects, 0),
    driverFaults: users.reduce((s, u) => s + u.figures.driverFaults, 0),
    errors: honestErrors,
  },
  log: { lines: log.lines, stackTraces: log.stackTraces, errors: log.errors, stackSamples: log.stackSamples, events: log.events },
  loadGenerator: { cpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1e6 / wallS) * 100) },
  attacks: tallies,
  samples,
};

const failures: string[] = [];
if (!serverAlive) failures.push('the server died');
if (joinFailures.length) failures.push(`${joinFailures.length} honest users could not sign in`);
if (lost) failures.push(`${lost} honest deliveries lost (${lostMessages} messages)`);
if (ledger.duplicates) failures.push(`${ledger.duplicates} honest messages shown twice`);
if (ledger.outOfOrder) failures.push(`${ledger.outOfOrder} honest messages out of order`);
if (!(rssEnd <= rssStart * RSS_LIMIT)) failures.push(`RSS ${mb(rssEnd)} MB at the end is not within ${Math.round((RSS_LIMIT - 1) * 100)}% of ${mb(rssStart)} MB at the start`);
if (log.stackTraces) failures.push(`${log.stackTraces} stack-trace lines in the server log`);

const row = (label: string, value: unknown) => console.log(`  ${label.padEnd(40)}${String(value)}`);
console.log(`\nSoak: ${minutes} min, ${honestCount} honest users, ${list.length} attacks in a loop (${result.machine.cores} cores, Node ${process.version})`);
row('server alive at the end', serverAlive ? 'yes' : 'NO');
row('RSS start / end / peak (MB)', `${result.rss.startMb} / ${result.rss.endMb} / ${result.rss.peakMb} (end/start ${result.rss.ratio})`);
row('honest messages sent', ledger.sent.size);
row('deliveries expected / delivered', `${expectedDeliveries} / ${expectedDeliveries - lost}`);
row('deliveries lost (messages)', `${lost} (${lostMessages})`);
row('shown twice / out of order', `${ledger.duplicates} / ${ledger.outOfOrder}`);
row('delivery latency p50 / p99 / max (ms)', `${result.honest.latencyMs.p50} / ${result.honest.latencyMs.p99} / ${result.honest.latencyMs.max}`);
row('honest reconnects / error frames', `${result.honest.reconnects} / ${JSON.stringify(honestErrors)}`);
row('server log lines / stack traces / errors', `${log.lines} / ${log.stackTraces} / ${log.errors}`);
row('load generator CPU (% of one core)', result.loadGenerator.cpuPercentOfOneCore);
row('server log events', Object.entries(log.events).map(([k, v]) => `${k} ${v}`).join('; ') || '(none)');
console.log('\n  attacks:');
for (const [name, t] of Object.entries(tallies)) console.log(`    ${name}: ${Object.entries(t).map(([k, v]) => `${k} ${v}`).join('; ')}`);
for (const s of log.stackSamples) console.log(`  stack: ${s}`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/soak-latest.json', import.meta.url), JSON.stringify({ ...result, failures }, null, 2) + '\n');
console.log(`\n${failures.length ? `FAILED:\n  ${failures.join('\n  ')}` : 'PASSED'}\n(figures in bench/results/soak-latest.json)`);
process.exit(failures.length ? 1 : 0);
