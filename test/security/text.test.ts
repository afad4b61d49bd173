// Message text: nothing invalid reaches SQLite, nothing reorders or hides what others read, marks
// cannot stack over other lines, and text over the limit is refused with the chat's own
// translated error, never cut. Real chat, real SQLite file (read back after reopening it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ChatError } from '../../chat/errors.ts';
import { chatWorld } from '../support/chat-app.ts';
import { openChat, tempDir } from '../support/chat.ts';

const CASES: [string, string, string][] = [
  ['bidi overrides, embeddings and isolates go', 'abc\u202Edef\u202Agh\u2067ij\u2069', 'abcdefghij'],
  ['direction marks go', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
  ['zero-width space, word joiner and BOM go', 'a\u200Bb\u2060c\uFEFFd', 'abcd'],
  ['a ZWJ inside an emoji sequence stays', 'I am 👩\u200D💻 today', 'I am 👩\u200D💻 today'],
  ['ZWJ after a variation selector stays (rainbow flag)', '🏳\uFE0F\u200D🌈', '🏳\uFE0F\u200D🌈'],
  ['a ZWNJ inside a Persian word stays', 'می\u200Cخواهم', 'می\u200Cخواهم'],
  ['joiners next to spaces or at the ends go', '\u200Da \u200D b\u200C', 'a  b'],
  ['a run of joiners becomes one', 'a\u200D\u200D\u200Db', 'a\u200Db'],
  ['lone surrogates go, pairs stay', 'ok\uD800go\uDFFF 😀', 'okgo 😀'],
  ['over 4 combining marks in a row are cut to 4', 'x' + '\u0301'.repeat(1000) + ' tail', 'x' + '\u0301'.repeat(4) + ' tail'],
  ['Vietnamese keeps its two marks', 'Vie\u0323\u0302t', 'Vie\u0323\u0302t'],
];

test('messages are cleaned before they are stored: what SQLite holds is what others see', async () => {
  const file = join(await tempDir(), 'palaver.db');
  {
    const { chat, store } = await openChat(file, { messageLimit: { count: 100, windowMs: 1000 } });
    const alice = await chat.signIn('alice');
    for (const [, input] of CASES) await chat.send(alice, 'general', input);
    await store.close();
  }
  const { chat, store } = await openChat(file);
  const stored = (await chat.history('general')).map(m => m.text);
  for (const [i, [what, , expected]] of CASES.entries()) assert.equal(stored[i], expected, what);
  for (const text of stored) assert.doesNotMatch(text, /\p{Cs}/u, 'no lone surrogate reached SQLite');
  await store.close();
});

test('nothing but invisible characters is an empty message', async () => {
  const { chat } = await openChat();
  const alice = await chat.signIn('alice');
  for (const text of ['\u200D', '\u202E\u2066\u200B', '\uD800', ' \u200C ']) {
    await assert.rejects(chat.send(alice, 'general', text), (e: unknown) => e instanceof ChatError && e.code === 'empty', JSON.stringify(text));
  }
});

test('a message over the limit is refused on screen with the chat\'s translated error naming the limit; the typed text stays', async () => {
  const w = await chatWorld({ maxMessageLength: 10 });
  const ivan = await w.signIn('ivan', undefined, ['ru']);
  const typed = 'двенадцать!!';
  ivan.driver.type('message', typed); ivan.driver.click('send'); await w.settle();
  const notes = ivan.driver.items('messages').filter(a => a.system).map(a => a.text);
  assert.ok(notes.includes('Сообщение — не более 10 символов.'), `notes: ${notes.join(' | ')}`);
  assert.equal(ivan.driver.text('message'), typed, 'nothing was cut');
  assert.equal((await w.chat.history('general')).length, 0, 'nothing was stored');
});
