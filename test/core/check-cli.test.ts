import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = new URL('../../bin/palaver.js', import.meta.url).pathname;

async function palaver(...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, stdout: err.stdout };
  }
}

test('palaver check prints file:line:col for each problem and exits 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'palaver-check-'));
  const broken = join(dir, 'broken.scm');
  await writeFile(broken, '(window name w\n  (label text 12)\n  (dial))\n');
  const good = join(dir, 'good.scm');
  await writeFile(good, '(popup (label text (_ "Send")) (button text (_ "Cancel") (on click close)))\n');
  const r = await palaver('check', broken, good);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    `${broken}:2:15: wrong type for text: expected a string or (_ "string"), found the number 12`,
    `${broken}:3:4: unknown widget kind dial (expected one of window, popup, vbox, hbox, label, button, textbox, listbox, item)`,
    '2 problems in 2 file(s)',
  ]);
  const ok = await palaver('check', good);
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout.trim(), '1 description(s) ok');
});

test('palaver check reports bare strings and strings no catalog translates, where they are', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'palaver-check-'));
  const file = join(dir, 'untranslated.scm');
  await writeFile(file, '(popup\n  (label text "Plain words")\n  (button text (_ "Never translated") (on click close)))\n');
  const r = await palaver('check', file);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    `${file}:2:15: bare string "Plain words" in text: write (_ "Plain words") so that it is translated`,
    `${file}:3:19: "Never translated" has no ru translation in ui-descriptions/locales/ru.json`,
    `${file}:3:19: "Never translated" has no zh-CN translation in ui-descriptions/locales/zh-CN.json`,
    '3 problems in 1 file(s)',
  ]);
});

test('palaver check on the shipped descriptions passes', async () => {
  const r = await palaver('check');
  assert.equal(r.code, 0, r.stdout);
});
