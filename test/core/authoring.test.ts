// Authoring checks: what `palaver check` finds around valid descriptions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authoringProblems } from '../../core/authoring.ts';
import { compileDescription } from '../../core/description.ts';

const ACTIONS = new Set(['close', 'go']);
const src = (file: string, text: string) => ({ file, text });
const MAIN = src('main.scm', '(window name main\n  (label name hello text (_ "Hello, {name}"))\n  (button name go text "Go" (on click go)))\n');
const ASK = src('ask.scm', '(popup name ask\n  (label name question text (_ "Sure?"))\n  (button name yes text (_ "Yes") (on click close yes)))\n');
const descriptions = new Map([MAIN, ASK].map(s => {
  const d = compileDescription(s.text, s.file, s.file.replace('.scm', ''), { actions: ACTIONS });
  return [d.name, d];
}));

const problems = (code: string, catalog: Record<string, string>, unused = true) => authoringProblems({
  descriptions,
  descriptionSources: [MAIN, ASK],
  catalogs: [{ lang: 'ru', file: 'ru.json', catalog }],
  code: [src('actions.ts', code)],
  unused,
}).map(String);

const FULL = { 'Hello, {name}': 'Привет, {name}', 'Sure?': 'Точно?', Yes: 'Да', 'Saved.': 'Сохранено.' };

test('a bare string in a text attribute is reported where it is; translated ones are not', () => {
  assert.deepEqual(problems("ui.t('Saved.')", FULL), ['main.scm:3:24: bare string "Go" in text: write (_ "Go") so that it is translated']);
});

test('a string shown but missing from a catalog, a wrong placeholder and an unused entry are reported', () => {
  const { Yes: _, ...missing } = FULL;
  assert.deepEqual(problems("ui.t('Saved.'); ui.t('Not in any catalog')", { ...missing, 'Hello, {name}': 'Привет, {who}', Stale: 'Старое' }), [
    'actions.ts:1:23: "Not in any catalog" has no ru translation in ru.json',
    'ask.scm:3:28: "Yes" has no ru translation in ru.json',
    'main.scm:2:29: the ru translation of "Hello, {name}" has placeholders {who}, not {name}',
    'main.scm:3:24: bare string "Go" in text: write (_ "Go") so that it is translated',
    'ru.json:1:1: "Stale" is translated but shown nowhere',
  ]);
});

test('action code naming no screen, the wrong kind, or popup widgets that do not exist is reported', () => {
  const code = [
    "ui.show('nowhere');",
    "ui.popup('main');",
    "ui.show('ask');",
    "// ui.show('only-in-a-comment') is not code",
    "await ui.popup('ask', { question: { text: 'x' }, answer: { text: ui.t('Saved.') }, 'yes': {} });",
    "await ui.popup('ask', { questoin });",
  ].join('\n');
  assert.deepEqual(problems(code, FULL).filter(p => p.startsWith('actions.ts')), [
    "actions.ts:1:10: ui.show('nowhere') names no description (there is no nowhere.scm)",
    "actions.ts:2:11: ui.popup('main'): main is a window; show it with ui.show()",
    "actions.ts:3:10: ui.show('ask'): ask is a popup; open it with ui.popup()",
    "actions.ts:5:50: ui.popup('ask', …): init names answer, but ask has no widget of that name",
    "actions.ts:6:25: ui.popup('ask', …): init names questoin, but ask has no widget of that name",
  ]);
});
