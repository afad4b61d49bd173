// A library is what an application gives the core: its descriptions and the actions they call.
import { readFile, readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { compileDescription, DescriptionError, Problem, type Description } from './description.ts';
import type { Ui, ActionEvent } from './session.ts';
import type { Value } from './values.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Action<S = any> = (ui: Ui<S>, event: ActionEvent, ...args: Value[]) => unknown;

/** Actions the core provides to every description. */
export const BUILTIN_ACTIONS = ['close'] as const;

export interface Library {
  descriptions: ReadonlyMap<string, Description>;
  actions: Readonly<Record<string, Action>>;
}

function actionNames(actions: Record<string, Action>): Set<string> {
  return new Set([...Object.keys(actions), ...BUILTIN_ACTIONS]);
}

/** Lists the `.scm` files of a directory, sorted. */
export async function descriptionFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir);
  return entries.filter(f => f.endsWith('.scm')).sort().map(f => join(dir, f));
}

/** Validates files and returns every problem found, in file order. */
export async function checkFiles(files: readonly string[], actions: Record<string, Action>): Promise<Problem[]> {
  const names = actionNames(actions);
  const problems: Problem[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (e) {
      problems.push(new Problem({ file, line: 1, col: 1 }, `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`));
      continue;
    }
    try {
      compileDescription(source, displayName(file), basename(file, '.scm'), { actions: names });
    } catch (e) {
      if (e instanceof DescriptionError) problems.push(...e.problems);
      else throw e;
    }
  }
  return problems;
}

/** Loads every description of `dir`; throws DescriptionError listing all problems. */
export async function loadLibrary(dir: string, actions: Record<string, Action>): Promise<Library> {
  const names = actionNames(actions);
  const descriptions = new Map<string, Description>();
  const problems: Problem[] = [];
  for (const file of await descriptionFiles(dir)) {
    try {
      const d = compileDescription(await readFile(file, 'utf8'), displayName(file), basename(file, '.scm'), { actions: names });
      descriptions.set(d.name, d);
    } catch (e) {
      if (e instanceof DescriptionError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new DescriptionError(problems);
  return { descriptions, actions };
}

function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
