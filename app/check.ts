// `palaver check [FILE…]`: validates descriptions and the authoring around them (translations,
// bare strings, screens and popup widgets named by action code), prints every problem, exits 1
// if any. Given files, it checks those descriptions and their strings; given none, everything.
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authoringProblems, type SourceFile } from '../core/authoring.ts';
import { DescriptionError, type Description } from '../core/description.ts';
import type { Catalog } from '../core/i18n.ts';
import { checkFiles, descriptionFiles, loadLibrary } from '../core/library.ts';
import { actions } from '../ui-descriptions/actions.ts';
import { UI_DIR } from '../ui-descriptions/app.ts';
import { REFUSALS } from '../ui-descriptions/refusals.ts';

const CORE_DIR = fileURLToPath(new URL('../core/', import.meta.url));

export async function check(files: string[], out: (line: string) => void): Promise<number> {
  const targets = files.length ? files : await descriptionFiles(UI_DIR);
  const problems = await checkFiles(targets, actions);
  if (!problems.length) problems.push(...await authoring(targets, files.length === 0));
  for (const p of problems) out(String(p));
  out(problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${targets.length} file(s)` : `${targets.length} description(s) ok`);
  return problems.length ? 1 : 0;
}

async function authoring(targets: string[], everything: boolean) {
  const descriptions = await shippedDescriptions();
  const code = everything ? await sources(UI_DIR, '.ts') : [];
  // The core's own refusals are shown to users too, through the application's catalogs.
  const strings = everything ? (await sources(CORE_DIR, '.ts')).filter(s => s.text.includes('this.t(')) : [];
  const refusals = code.find(s => s.file.endsWith('refusals.ts'));
  return authoringProblems({
    descriptions,
    descriptionSources: await Promise.all(targets.map(read)),
    catalogs: await catalogs(),
    code,
    strings,
    moreMsgids: refusals ? Object.values(REFUSALS).map(msgid => ({ msgid, pos: at(refusals, `'${msgid}'`) })) : [],
    unused: everything,
  });
}

/** The application's descriptions, for what action code names (empty if they do not compile). */
async function shippedDescriptions(): Promise<ReadonlyMap<string, Description>> {
  try { return (await loadLibrary(UI_DIR, actions)).descriptions; } catch (e) { if (e instanceof DescriptionError) return new Map(); throw e; }
}

async function catalogs() {
  const dir = join(UI_DIR, 'locales');
  return Promise.all((await readdir(dir)).filter(f => f.endsWith('.json')).sort().map(async f => {
    const file = join(dir, f);
    return { lang: f.slice(0, -5), file: display(file), catalog: JSON.parse(await readFile(file, 'utf8')) as Catalog };
  }));
}

async function sources(dir: string, ext: string): Promise<SourceFile[]> {
  return Promise.all((await readdir(dir)).filter(f => f.endsWith(ext)).sort().map(f => read(join(dir, f))));
}

async function read(file: string): Promise<SourceFile> {
  return { file: display(file), text: await readFile(file, 'utf8') };
}

function at(src: SourceFile, needle: string) {
  const i = Math.max(0, src.text.indexOf(needle)) + 1;
  const before = src.text.slice(0, i);
  return { file: src.file, line: before.split('\n').length, col: i - before.lastIndexOf('\n') };
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
