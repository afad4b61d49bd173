// `palaver line` (or `palaver serve --line`) as a child process: commands written to its stdin,
// the lines it prints read back, as a script or a person on a serial console would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/palaver.js', import.meta.url));

export class LineClient {
  readonly child: ChildProcessWithoutNullStreams;
  out = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LANG: 'en_US.UTF-8', LANGUAGE: '', ...env } });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => { this.out += d; });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => { this.out += d; });
    // 'close', not 'exit': by then everything it printed has been read.
    this.exited = new Promise(r => this.child.once('close', code => r(code)));
  }

  static remote(url: string) { return new LineClient(['line', '--url', url]); }

  send(line: string) { this.child.stdin.write(`${line}\n`); }

  /** Waits until the output (from `from` on) satisfies `pred`; returns that output. */
  async waitFor(pred: (out: string) => boolean, what: string, from = 0, timeoutMs = 15_000): Promise<string> {
    for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise(r => setTimeout(r, 25))) {
      if (pred(this.out.slice(from))) return this.out.slice(from);
    }
    throw new Error(`timed out waiting for ${what}; the line client printed:\n${this.out}`);
  }

  /** Waits for a line equal to `line`. */
  waitForLine(line: string, from = 0) { return this.waitFor(o => o.split('\n').includes(line), JSON.stringify(line), from); }

  get mark() { return this.out.length; }

  async close(): Promise<number | null> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
