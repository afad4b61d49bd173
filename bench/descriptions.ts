// How many descriptions the core reads and validates per second (the chat's own, from memory).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileDescription } from '../core/description.ts';
import { BUILTIN_ACTIONS, descriptionFiles } from '../core/library.ts';
import { actions } from '../ui-descriptions/actions.ts';
import { UI_DIR } from '../ui-descriptions/app.ts';

export async function benchDescriptions(ms = 1000): Promise<{ perSec: number; files: number; bytes: number }> {
  const files = (await descriptionFiles(UI_DIR)).map(f => ({ name: basename(f, '.scm'), file: f, source: readFileSync(f, 'utf8') }));
  const names = new Set([...Object.keys(actions), ...BUILTIN_ACTIONS]);
  let count = 0;
  const end = performance.now() + ms;
  const start = performance.now();
  while (performance.now() < end) {
    for (const f of files) compileDescription(f.source, f.file, f.name, { actions: names });
    count += files.length;
  }
  return { perSec: Math.round(count / ((performance.now() - start) / 1000)), files: files.length, bytes: files.reduce((s, f) => s + f.source.length, 0) };
}
