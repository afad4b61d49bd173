import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import type { Template } from '../../core/description.ts';
import { loadLibrary } from '../../core/library.ts';
import { Translatable } from '../../core/values.ts';
import { actions } from '../../ui-descriptions/actions.ts';
import { UI_DIR } from '../../ui-descriptions/app.ts';
import { REFUSALS } from '../../ui-descriptions/refusals.ts';

/** Every string the chat shows: (_ "…") in descriptions, ui.t("…") in code, and the refusals. */
async function msgids(): Promise<Set<string>> {
  const ids = new Set<string>(Object.values(REFUSALS));
  const lib = await loadLibrary(UI_DIR, actions);
  const walk = (t: Template) => { for (const v of Object.values(t.attrs)) if (v instanceof Translatable) ids.add(v.msgid); t.children.forEach(walk); };
  for (const d of lib.descriptions.values()) walk(d.root);
  const sources = [...readdirSync(UI_DIR).filter(f => f.endsWith('.ts')).map(f => UI_DIR + f), new URL('../../core/session.ts', import.meta.url).pathname];
  for (const file of sources) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:ui|this)\.t\('((?:[^'\\]|\\.)*)'/g)) ids.add(m[1]);
  }
  return ids;
}

for (const lang of ['ru', 'zh-CN']) {
  test(`every string the chat shows has a ${lang} translation, and nothing stale is kept`, async () => {
    const catalog = JSON.parse(readFileSync(new URL(`../../ui-descriptions/locales/${lang}.json`, import.meta.url), 'utf8')) as Record<string, string>;
    const ids = await msgids();
    assert.ok(ids.size > 50);
    assert.deepEqual([...ids].filter(id => !catalog[id]), [], 'missing');
    assert.deepEqual(Object.keys(catalog).filter(k => !ids.has(k)), [], 'stale');
    for (const [id, text] of Object.entries(catalog)) {
      const placeholders = (s: string) => [...s.matchAll(/\{\w+\}/g)].map(m => m[0]).sort();
      assert.deepEqual(placeholders(text), placeholders(id), `placeholders of ${id}`);
    }
  });
}
