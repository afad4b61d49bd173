// A real pseudo-terminal: tmux runs a command; tests type with send-keys and read capture-pane.
import { execFileSync, spawnSync } from 'node:child_process';

export function tmuxMissing(): string | undefined {
  if (spawnSync('tmux', ['-V']).status === 0) return undefined;
  if (process.env.CI === 'true') return undefined;   // let the test fail loudly in CI
  return 'no tmux (apt-get install tmux)';
}

export class Tmux {
  private readonly socket = `palaver-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(command: string, readonly cols = 110, readonly rows = 32, env: Record<string, string> = {}) {
    const vars = Object.entries({ LC_ALL: 'C.UTF-8', ...env }).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    // `; sleep` keeps the pane readable after the program exits.
    this.tmux('-u', 'new-session', '-d', '-s', 'p', '-x', String(cols), '-y', String(rows), `${vars} ${command}; echo "[exited $?]"; sleep 60`);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Types text literally. */
  type(text: string) { this.tmux('send-keys', '-t', 'p', '-l', text); }
  /** Presses named keys: Enter, Tab, BTab, Escape, Up, C-c… */
  press(...keys: string[]) { this.tmux('send-keys', '-t', 'p', ...keys); }
  screen(): string { return this.tmux('capture-pane', '-p', '-t', 'p'); }
  /** The screen with its colours and attributes, as SGR escapes (for pictures of it). */
  screenWithColours(): string { return this.tmux('capture-pane', '-e', '-p', '-t', 'p'); }
  title(): string { return this.tmux('display', '-p', '-t', 'p', '#{pane_title}').trim(); }

  async waitFor(pred: (screen: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (pred(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
      await new Promise(r => setTimeout(r, 100));
    }
  }

  kill() { try { this.tmux('kill-server'); } catch { /* already gone */ } }
}
