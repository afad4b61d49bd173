// `palaver check [FILE…]`: validates descriptions, prints every problem, exits 1 if any.
import { checkFiles, descriptionFiles } from '../core/library.ts';
import { actions } from '../ui-descriptions/actions.ts';
import { UI_DIR } from '../ui-descriptions/app.ts';

export async function check(files: string[], out: (line: string) => void): Promise<number> {
  const targets = files.length ? files : await descriptionFiles(UI_DIR);
  const problems = await checkFiles(targets, actions);
  for (const p of problems) out(String(p));
  out(problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${targets.length} file(s)` : `${targets.length} description(s) ok`);
  return problems.length ? 1 : 0;
}
