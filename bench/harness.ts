// Runs one server under test and one load generator, each in its own process, and relays the
// load generator's requests for the server's CPU and memory figures.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Kind } from './clients.ts';
import type { Figures, Job } from './load.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// BENCH_PROFILE=DIR writes a CPU profile of each server under test into DIR.
function child(script: string, server = false): ChildProcess {
  const profile = server && process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return fork(here(script), [], { execArgv: ['--import', 'tsx', ...(server ? ['--expose-gc'] : []), ...profile, '--max-old-space-size=8192'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

export async function benchServer(kind: Kind, job: Omit<Job, 'kind' | 'url'>): Promise<Figures> {
  const server = child(`./servers/${kind}.ts`, true);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('message', (m: { port: number }) => resolve(m.port));
      server.once('exit', code => reject(new Error(`${kind} server exited with ${code}`)));
    });
    const waiting = new Map<number, (stats: unknown) => void>();
    server.on('message', (m: { id?: number; stats?: unknown }) => { if (m.id !== undefined) { waiting.get(m.id)?.(m.stats); waiting.delete(m.id); } });
    const load = child('./load.ts');
    return await new Promise<Figures>((resolve, reject) => {
      load.on('message', (m: { ask?: string; id?: number; figures?: Figures; error?: string }) => {
        if (m.ask === 'stats' && m.id !== undefined) {
          const id = m.id;
          waiting.set(id, stats => load.send({ id, stats }));
          server.send({ cmd: 'stats', id });
        }
        if (m.figures) resolve(m.figures);
        if (m.error) reject(new Error(`load generator: ${m.error}`));
      });
      load.once('exit', code => { if (code) reject(new Error(`load generator exited with ${code}`)); });
      load.send({ job: { ...job, kind, url: `http://127.0.0.1:${port}/` } });
    });
  } finally {
    server.send({ cmd: 'exit' });
    await new Promise(r => { server.once('exit', r); setTimeout(() => { server.kill('SIGKILL'); r(null); }, 5000); });
  }
}
