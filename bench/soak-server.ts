// The server under soak: `palaver serve` as a child process on loopback, its output captured to a
// file, its RSS read from /proc. It is the real command an operator runs, with default limits.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './soak-net.ts';

const BIN = fileURLToPath(new URL('../bin/palaver.js', import.meta.url));

export interface LogFigures {
  lines: number;
  /** Lines that carry a stack trace: a `"stack"` field or a `    at ` frame line. */
  stackTraces: number;
  /** The first few such lines, to show what went wrong. */
  stackSamples: string[];
  /** JSON lines by `event` (and `code` or `what` where given), e.g. `refused:busy`. */
  events: Record<string, number>;
  /** JSON lines at error level (50) or above. */
  errors: number;
}

export class SoakServer {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'palaver-soak-'));
  readonly logFile = join(this.dataDir, 'server.log');
  /** Whether this build of `palaver serve` knows `--log-level` (helper E adds it). */
  readonly logLevelFlag: boolean;
  url = '';
  private child!: ChildProcess;
  private exited: Promise<number | null> | null = null;
  exitCode: number | null | undefined = undefined;

  /** `sessionMinutes`: how long a session outlives its connection (`serve --session-minutes`). */
  constructor(private readonly sessionMinutes: number) {
    const help = execFileSync(process.execPath, [BIN, 'serve', '--help'], { encoding: 'utf8' });
    this.logLevelFlag = help.includes('--log-level');
  }

  get pid(): number { return this.child.pid!; }
  get alive(): boolean { return this.exitCode === undefined; }

  async start(): Promise<void> {
    const out = openSync(this.logFile, 'a');
    const args = [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', this.dataDir, '--session-minutes', String(this.sessionMinutes), ...(this.logLevelFlag ? ['--log-level', 'info'] : [])];
    this.child = spawn(process.execPath, args, { stdio: ['ignore', out, out], env: { ...process.env, NODE_ENV: 'production' } });
    closeSync(out);
    this.exited = new Promise(r => this.child.once('exit', code => { this.exitCode = code; r(code); }));
    const deadline = Date.now() + 60_000;
    while (!this.url) {
      if (!this.alive) throw new Error(`the server exited (${this.exitCode}) before listening; see ${this.logFile}`);
      if (Date.now() > deadline) throw new Error(`the server did not report its address within 60 s; see ${this.logFile}`);
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(readFileSync(this.logFile, 'utf8'));
      if (m) this.url = `${m[0]}/`;
      else await sleep(100);
    }
  }

  /** Resident set size in bytes, from /proc (0 once the process is gone). */
  rss(): number {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** SIGTERM, then SIGKILL if it does not stop within 15 s. */
  async stop(): Promise<number | null> {
    if (!this.alive) return this.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  readLog(): LogFigures {
    const figures: LogFigures = { lines: 0, stackTraces: 0, stackSamples: [], events: {}, errors: 0 };
    for (const line of readFileSync(this.logFile, 'utf8').split('\n')) {
      if (!line) continue;
      figures.lines++;
      if (line.includes('"stack"') || /^\s+at /.test(line)) {
        figures.stackTraces++;
        if (figures.stackSamples.length < 5) figures.stackSamples.push(line.slice(0, 300));
      }
      if (!line.startsWith('{')) continue;
      try {
        const j = JSON.parse(line) as { event?: string; code?: string; what?: string; level?: number };
        if (j.event) {
          const key = j.event + (j.code ? `:${j.code}` : j.what ? `:${j.what}` : '');
          figures.events[key] = (figures.events[key] ?? 0) + 1;
        }
        if ((j.level ?? 0) >= 50) figures.errors++;
      } catch { /* a line that only looks like JSON is counted as a line, no more */ }
    }
    return figures;
  }
}
