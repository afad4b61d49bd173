// A virtual terminal: blessed writes into @xterm/headless, whose buffer is what a person would
// see. Keys are typed into blessed's input stream as a terminal would send them.
import blessed from 'blessed';
import { PassThrough, Writable } from 'node:stream';
import xterm from '@xterm/headless';

export class VirtualTerminal {
  readonly term: InstanceType<typeof xterm.Terminal>;
  readonly input = new PassThrough();
  readonly output: Writable & { columns: number; rows: number; isTTY: boolean };
  readonly screen: blessed.Widgets.Screen;
  /** Everything written to the terminal, for checks on raw output (titles, clears). */
  raw = '';
  private pending: Promise<void> = Promise.resolve();

  constructor(readonly cols = 100, readonly rows = 30) {
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
    const self = this;
    this.output = Object.assign(new Writable({
      write(chunk, _enc, done) {
        const text = chunk.toString();
        self.raw += text;
        self.pending = new Promise(r => self.term.write(text, r));
        done();
      },
    }), { columns: cols, rows, isTTY: true });
    Object.assign(this.input, { isTTY: true, setRawMode: () => this.input });
    // @types/blessed declares `output` as a Readable; blessed only writes to it.
    this.screen = blessed.screen({ input: this.input, output: this.output as unknown as NodeJS.ReadableStream & import("node:stream").Readable, terminal: 'xterm-256color', fullUnicode: true, smartCSR: true, warnings: false, autoPadding: false });
  }

  /** Waits until everything written so far has been parsed by the terminal. */
  async drawn(): Promise<void> {
    await new Promise(r => setTimeout(r, 60));   // one frame of the driver's repaint timer
    await this.pending;
  }

  /** The screen as lines of text (wide characters take one string position). */
  lines(): string[] {
    const buf = this.term.buffer.active;
    return Array.from({ length: this.rows }, (_, y) => buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  }

  text(): string { return this.lines().join('\n'); }

  /** Sends keys: text as typed, or named keys. */
  send(keys: string) { this.input.write(keys); }

  resize(cols: number, rows: number) {
    this.term.resize(cols, rows);
    this.output.columns = cols;
    this.output.rows = rows;
    (this as { cols: number }).cols = cols;
    (this as { rows: number }).rows = rows;
    this.output.emit('resize');
  }

  destroy() { this.screen.destroy(); this.term.dispose(); }
}

export const KEY = { enter: '\r', tab: '\t', shiftTab: '\x1b[Z', esc: '\x1b', up: '\x1b[A', down: '\x1b[B', left: '\x1b[D', right: '\x1b[C', backspace: '\x7f', ctrlU: '\x15', ctrlC: '\x03' };
