// `palaver serve` as a child process, as an operator runs it: its own heap, its own RSS (read
// from /proc), and it can die without taking the test with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir } from './chat.ts';

const BIN = fileURLToPath(new URL('../../bin/palaver.js', import.meta.url));

export interface ChildServer {
  url: string;
  pid: number;
  /** Resident set size in bytes, or null once the process is gone. */
  rss(): number | null;
  alive(): boolean;
  /** Everything the process wrote to stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function spawnServer(args: string[] = [], timeoutMs = 30_000): Promise<ChildServer> {
  const data = await tempDir('palaver-child-');
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  const exit = new Promise<void>(r => child.once('exit', () => { exited = true; r(); }));
  child.stderr!.on('data', d => { err += d; });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL from palaver serve within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
    child.stdout!.on('data', d => {
      out += d;
      const m = /https?:\/\/[^\s"',]+\//.exec(out);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    void exit.then(() => { clearTimeout(timer); reject(new Error(`palaver serve exited: ${err}`)); });
  });
  return {
    url,
    pid: child.pid!,
    rss() {
      if (exited) return null;
      try {
        const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kb === undefined ? null : Number(kb) * 1024;
      } catch { return null; }
    },
    alive: () => !exited,
    stderr: () => err,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
}
