// `serve --dev`: a changed description or catalog reaches running sessions without a restart;
// a broken one is reported and the last good one stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalogs } from '../../core/i18n.ts';
import { loadLibrary } from '../../core/library.ts';
import { DevReload } from '../../app/dev-reload.ts';
import { actions } from '../../ui-descriptions/actions.ts';
import { UI_DIR } from '../../ui-descriptions/app.ts';
import { chatWorld } from '../support/chat-app.ts';
import { memoryLog } from '../support/memory-log.ts';

async function until(what: string, pred: () => boolean | Promise<boolean>, ms = 10_000) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise(r => setTimeout(r, 25))) if (await pred()) return;
  assert.fail(`timed out waiting for ${what}`);
}

test('serve --dev: edits to a screen and a catalog show in open sessions; a broken screen is reported and the old one kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'palaver-dev-'));
  await cp(UI_DIR, dir, { recursive: true, filter: src => !src.endsWith('.ts') });
  const load = async () => {
    const ru = JSON.parse(await readFile(join(dir, 'locales', 'ru.json'), 'utf8'));
    return { library: await loadLibrary(dir, actions), catalogs: new Catalogs({ ru }) };
  };
  const world = await chatWorld();
  Object.assign(world.app, await load());
  const alice = await world.signIn('alice');
  const boris = await world.signIn('boris', undefined, ['ru']);
  assert.equal(alice.driver.find('send').attrs.text, 'Send');
  const log = memoryLog();
  const dev = new DevReload({ dir, app: world.app, load, log, sessions: () => world.sessions, settleMs: 50 });
  try {
    const main = join(dir, 'main.scm');
    const source = await readFile(main, 'utf8');
    await writeFile(main, source.replace('text (_ "Send")', 'text (_ "Post")'));
    await until('the new caption', () => alice.driver.has('send') && alice.driver.find('send').attrs.text === 'Post');
    assert.ok(alice.driver.has('messages'), 'still signed in, on the main screen');

    const ruFile = join(dir, 'locales', 'ru.json');
    const ru = JSON.parse(await readFile(ruFile, 'utf8'));
    await writeFile(ruFile, JSON.stringify({ ...ru, Post: 'Отправить!' }));
    await until('the new translation', () => boris.driver.has('send') && boris.driver.find('send').attrs.text === 'Отправить!');

    const generation = dev.generation;
    await writeFile(main, source.replace('(listbox name messages', '(listbox name messages bogus 1'));
    await until('the problem reported', () => log.lines.some(l => l.fields.event === 'dev-kept'));
    const problem = log.lines.find(l => l.fields.event === 'dev-problem');
    assert.match(String(problem?.fields.problem), /main\.scm:\d+:\d+: unknown attribute bogus for listbox/);
    assert.equal(dev.generation, generation, 'nothing reloaded');
    assert.equal(alice.driver.find('send').attrs.text, 'Post', 'the session keeps the last good screen');
    alice.driver.type('message', 'still works');
    alice.driver.click('send');
    await world.settle();
    assert.ok(alice.driver.items('messages').some(i => i.text === 'still works'));
  } finally {
    dev.close();
    world.chat.close();
  }
});
