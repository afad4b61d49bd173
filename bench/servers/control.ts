// The side channel between the benchmark coordinator and a server under test: the server says
// which port it listens on, and reports its CPU time and memory when asked.
export interface ServerStats { cpuMs: number; rss: number; heapUsed: number; external: number; arrayBuffers: number }

const gc = (globalThis as { gc?: () => void }).gc;

export function stats(): ServerStats {
  gc?.(); gc?.();
  const cpu = process.cpuUsage();
  const m = process.memoryUsage();
  return { cpuMs: (cpu.user + cpu.system) / 1000, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

export function announce(port: number, stop: () => Promise<void>) {
  process.send!({ ready: true, port });
  process.on('message', (m: { cmd: string; id: number }) => {
    if (m.cmd === 'stats') process.send!({ id: m.id, stats: stats() });
    if (m.cmd === 'exit') void stop().finally(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
}

export const SEED = 100;
export const seedText = (i: number) => `seed message ${i} ${'lorem ipsum dolor sit amet '.repeat(2)}`.trim();
