// `palaver serve --dev`: watches the UI descriptions and the catalogs, and when one changes,
// compiles them again and shows every running session its screen anew, without a restart.
// A description with problems is reported (file:line:col) and the last good one stays in use.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { DescriptionError } from '../core/description.ts';
import type { Catalogs } from '../core/i18n.ts';
import type { Library } from '../core/library.ts';
import type { Log } from '../core/log.ts';

export interface Reloadable {
  library: Library;
  catalogs: Catalogs;
}

export interface DevReloadOptions {
  /** The directory of the `.scm` files; catalogs are in its `locales/`. */
  dir: string;
  app: Reloadable;
  load(): Promise<Reloadable>;
  /** Every running session: each is shown its screen anew. */
  sessions(): Iterable<{ reload(): Promise<void> }>;
  log: Log;
  /** Changes closer together than this are one reload (an editor writes a file in steps). */
  settleMs?: number;
}

export class DevReload {
  private readonly watchers: FSWatcher[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> = Promise.resolve();
  /** How many reloads have been applied (for tests and the log). */
  generation = 0;

  constructor(private readonly o: DevReloadOptions) {
    for (const dir of [o.dir, join(o.dir, 'locales')]) {
      const w = watch(dir, (_event, file) => { if (file && /\.(scm|json)$/.test(String(file))) this.changed(); });
      w.on('error', err => o.log.warn({ event: 'error', err, dir }, 'cannot watch for changes'));
      this.watchers.push(w);
    }
    o.log.info({ event: 'dev', dir: o.dir }, `--dev: reloading descriptions and catalogs from ${o.dir} when they change`);
  }

  close(): void {
    for (const w of this.watchers) w.close();
    if (this.timer) clearTimeout(this.timer);
  }

  private changed() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; this.running = this.running.then(() => this.reload()); }, this.o.settleMs ?? 150);
  }

  private async reload() {
    const { log } = this.o;
    let next: Reloadable;
    try {
      next = await this.o.load();
    } catch (e) {
      if (e instanceof DescriptionError) {
        for (const p of e.problems) log.warn({ event: 'dev-problem', problem: String(p) }, String(p));
        log.warn({ event: 'dev-kept', problems: e.problems.length }, 'descriptions have problems: the last good ones stay in use');
      } else {
        log.warn({ event: 'dev-kept', reason: (e as Error).message }, `cannot reload: ${(e as Error).message}`);
      }
      return;
    }
    this.o.app.library = next.library;
    this.o.app.catalogs = next.catalogs;
    let count = 0;
    for (const s of this.o.sessions()) { count++; await s.reload().catch(err => log.error({ event: 'error', err }, 'reloading a session failed')); }
    this.generation++;
    log.info({ event: 'dev-reloaded', sessions: count, generation: this.generation }, `reloaded descriptions and catalogs into ${count} session(s)`);
  }
}
