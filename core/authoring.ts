// Authoring checks beyond a description's own validity, for `palaver check`: strings shown but
// not translated, bare strings that cannot be, and action code that names screens or popup
// widgets that do not exist. Descriptions are read again for positions; action code is scanned
// for literal calls (`ui.show('x')`, `ui.popup('x', { name: … })`, `ui.t('…')`), so a name
// built at run time is not checked here (the session refuses it when it happens).
import { Problem, type Description, type Template } from './description.ts';
import type { Catalog } from './i18n.ts';
import { readAll, type Datum, type Position } from './sexpr.ts';
import { SCHEMA, isKind } from './schema.ts';

export interface SourceFile { file: string; text: string }

export interface AuthoringInput {
  /** The compiled descriptions, by name. */
  descriptions: ReadonlyMap<string, Description>;
  /** Their sources (the files the descriptions were compiled from). */
  descriptionSources: readonly SourceFile[];
  /** Every catalog but English (the source language), by language, with the file it came from. */
  catalogs: readonly { lang: string; file: string; catalog: Catalog }[];
  /** The application's action code. */
  code: readonly SourceFile[];
  /** More code that shows strings (the core's own refusals): scanned for `t('…')` only. */
  strings?: readonly SourceFile[];
  /** Msgids shown by code that the scan cannot see (a table of refusals), with where they are. */
  moreMsgids?: readonly { msgid: string; pos: Position }[];
  /** Report catalog entries nothing uses (only meaningful when every source is given). */
  unused?: boolean;
}

/** Every authoring problem, in a stable order: per file, by position. */
export function authoringProblems(input: AuthoringInput): Problem[] {
  const problems: Problem[] = [];
  const msgids = new Map<string, Position>();
  const use = (msgid: string, pos: Position) => { if (!msgids.has(msgid)) msgids.set(msgid, pos); };

  for (const src of input.descriptionSources) {
    let data: Datum[];
    try { data = readAll(src.text, src.file); } catch { continue; }      // reported by the compiler
    for (const d of data) visitWidget(d, problems, use);
  }
  for (const src of input.code) scanCode(uncommented(src), input.descriptions, problems, use, true);
  for (const src of input.strings ?? []) scanCode(uncommented(src), input.descriptions, problems, use, false);
  for (const m of input.moreMsgids ?? []) use(m.msgid, m.pos);

  for (const { lang, file, catalog } of input.catalogs) {
    for (const [msgid, pos] of msgids) {
      const text = Object.hasOwn(catalog, msgid) ? catalog[msgid] : undefined;
      if (!text) problems.push(new Problem(pos, `"${msgid}" has no ${lang} translation in ${file}`));
      else if (placeholders(text) !== placeholders(msgid)) problems.push(new Problem(pos, `the ${lang} translation of "${msgid}" has placeholders ${placeholders(text) || 'none'}, not ${placeholders(msgid) || 'none'}`));
    }
    if (input.unused) {
      for (const msgid of Object.keys(catalog)) if (!msgids.has(msgid)) problems.push(new Problem({ file, line: 1, col: 1 }, `"${msgid}" is translated but shown nowhere`));
    }
  }
  return problems.sort((a, b) => a.pos.file.localeCompare(b.pos.file) || a.pos.line - b.pos.line || a.pos.col - b.pos.col);
}

const placeholders = (s: string) => [...s.matchAll(/\{\w+\}/g)].map(m => m[0]).sort().join(' ');
const LETTER = /\p{L}/u;

/** A widget form: bare strings in text attributes, and the msgids of `(_ "…")`. */
function visitWidget(d: Datum, problems: Problem[], use: (msgid: string, pos: Position) => void) {
  if (d.type !== 'list' || d.items[0]?.type !== 'symbol' || !isKind(d.items[0].value)) return;
  const attrs = SCHEMA[d.items[0].value].attrs;
  for (let i = 1; i < d.items.length; i++) {
    const it = d.items[i];
    if (it.type === 'list') { visitWidget(it, problems, use); continue; }
    if (it.type !== 'symbol' || !Object.hasOwn(attrs, it.value)) continue;
    const v = d.items[++i];
    if (!v || attrs[it.value] !== 'text') continue;
    if (v.type === 'string' && LETTER.test(v.value)) problems.push(new Problem(v.pos, `bare string "${v.value}" in ${it.value}: write (_ "${v.value}") so that it is translated`));
    if (v.type === 'list' && v.items[0]?.type === 'symbol' && v.items[0].value === '_' && v.items[1]?.type === 'string') use(v.items[1].value, v.items[1].pos);
  }
}

/** Literal `t('…')`, `show('…')` and `popup('…', { key: … })` calls in action code. */
function scanCode(src: SourceFile, descriptions: ReadonlyMap<string, Description>, problems: Problem[], use: (msgid: string, pos: Position) => void, screens: boolean) {
  const at = (index: number) => position(src, index);
  for (const m of src.text.matchAll(/\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) use(unescape(m[1]), at(m.index! + m[0].indexOf("'") + 1));
  if (!screens) return;
  for (const m of src.text.matchAll(/\.(show|popup)\(\s*'([^'\\]+)'/g)) {
    const [, call, name] = m;
    const pos = at(m.index! + m[0].indexOf("'") + 1);
    const d = descriptions.get(name);
    const want = call === 'show' ? 'window' : 'popup';
    if (!d) { problems.push(new Problem(pos, `ui.${call}('${name}') names no description (there is no ${name}.scm)`)); continue; }
    if (d.root.kind !== want) { problems.push(new Problem(pos, `ui.${call}('${name}'): ${name} is a ${d.root.kind}; ${call === 'show' ? 'open it with ui.popup()' : 'show it with ui.show()'}`)); continue; }
    if (call !== 'popup') continue;
    const rest = src.text.slice(m.index! + m[0].length);
    const open = /^\s*,\s*\{/.exec(rest);
    if (!open) continue;
    const start = m.index! + m[0].length + open[0].length;
    const names = widgetNames(d.root);
    for (const key of topLevelKeys(src.text, start)) {
      if (!names.has(key.name)) problems.push(new Problem(at(key.index), `ui.popup('${name}', …): init names ${key.name}, but ${name} has no widget of that name`));
    }
  }
}

function widgetNames(t: Template, into = new Set<string>()): Set<string> {
  if (t.name) into.add(t.name);
  for (const c of t.children) widgetNames(c, into);
  return into;
}

/** The keys of an object literal that starts just after `{` at `start`: `name:`, `'name':`. */
function topLevelKeys(text: string, start: number): { name: string; index: number }[] {
  const keys: { name: string; index: number }[] = [];
  let depth = 0;
  let expectKey = true;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      const end = closing(text, i);
      if (depth === 0 && expectKey && /^\s*:/.test(text.slice(end + 1))) keys.push({ name: text.slice(i + 1, end), index: i + 1 });
      i = end;
      continue;
    }
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') { if (depth-- === 0) break; }
    else if (depth === 0 && c === ',') expectKey = true;
    else if (depth === 0 && expectKey && /[A-Za-z_$]/.test(c)) {
      const id = /^[\w$]+/.exec(text.slice(i))![0];
      const after = text.slice(i + id.length);
      if (/^\s*:/.test(after)) keys.push({ name: id, index: i });
      else if (/^\s*[,}]/.test(after)) keys.push({ name: id, index: i });      // shorthand `{ from }`
      expectKey = false;
      i += id.length - 1;
    } else if (depth === 0 && !/\s/.test(c)) expectKey = false;
  }
  return keys;
}

/** The source with comments blanked out (positions kept), so that examples in them are not read. */
function uncommented(src: SourceFile): SourceFile {
  const t = src.text;
  let out = '';
  for (let i = 0; i < t.length;) {
    const c = t[i];
    if (c === '"' || c === "'" || c === '`') { const end = closing(t, i) + 1; out += t.slice(i, end); i = end; continue; }
    let end = -1;
    if (c === '/' && t[i + 1] === '/') end = t.indexOf('\n', i);
    else if (c === '/' && t[i + 1] === '*') end = t.indexOf('*/', i + 2) + 2;
    else { out += c; i++; continue; }
    if (end <= i) end = t.length;
    out += t.slice(i, end).replace(/[^\n]/g, ' ');
    i = end;
  }
  return { file: src.file, text: out };
}

function closing(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === text[open]) return i;
  }
  return text.length;
}

function position(src: SourceFile, index: number): Position {
  const before = src.text.slice(0, index);
  const line = before.split('\n').length;
  return { file: src.file, line, col: index - before.lastIndexOf('\n') };
}

const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
