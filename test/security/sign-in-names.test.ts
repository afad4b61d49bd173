// Names that look alike are one name; names that mix alphabets are refused; invisible and
// direction-changing characters never become part of a name. Real chat, real SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatError } from '../../chat/errors.ts';
import { openChat } from '../support/chat.ts';

async function refused(p: Promise<unknown>, codes: string[], what: string) {
  await assert.rejects(p, (e: unknown) => e instanceof ChatError && codes.includes(e.code), `${what}: expected ${codes.join(' or ')}`);
}

test('look-alikes of a registered and of a signed-in name are refused; the look-alike is free once the name is', async () => {
  const { chat } = await openChat();
  await chat.signOut(await chat.signIn('alice', 'alices-password'));   // registered, not signed in
  const bobby = await chat.signIn('bobby');                           // signed in, not registered
  // Cyrillic а, dotless ı, dotted İ, Greek ο: each the same name as alice or bobby to a reader.
  for (const name of ['аlice', 'alıce', 'ALİCE', 'ＡＬＩＣＥ', 'al\u200Bice', 'a\u202Elice']) {
    await refused(chat.signIn(name), ['mixed-scripts', 'password-required'], name);
    await refused(chat.signIn(name, 'a-guess'), ['mixed-scripts', 'wrong-password'], name);
  }
  for (const name of ['bοbby', 'BOBBY', 'b0bby', 'bobbу']) await refused(chat.signIn(name), ['mixed-scripts', 'name-taken'], name);
  await refused(chat.signIn('аlice'), ['mixed-scripts'], 'Latin with one Cyrillic letter');
  await refused(chat.signIn('alıce'), ['password-required'], 'the registered alice');
  await refused(chat.signIn('b0bby'), ['name-taken'], 'bobby, signed in');
  // A name all in another script that reads the same: Cyrillic "аре" and Latin "ape".
  await chat.signIn('ape');
  await refused(chat.signIn('аре'), ['name-taken'], 'Cyrillic ape');
  // m and rn, l and 1, O and 0 look alike too.
  await chat.signIn('tom');
  await refused(chat.signIn('torn'), ['name-taken'], 'torn');
  await refused(chat.signIn('adrnin'), ['name-reserved'], 'a look-alike of a reserved name');

  await chat.signOut(bobby);
  const b0bby = await chat.signIn('b0bby');
  assert.equal(b0bby.name, 'b0bby', 'the one who holds the name now spells it');
});

test('names mix alphabets only as Japanese, Chinese and Korean are written; channel names too', async () => {
  const { chat } = await openChat();
  for (const name of ['Tokyo東京', '田中さん', 'ひらがなカタカナ', '김민수abc', '中文ㄅㄆ', 'Москва', 'Ωμέγα', 'Émile', 'مرحبا', 'नमस्ते', 'user_01']) {
    assert.equal((await chat.signIn(name)).name, name, name);
  }
  for (const name of ['ivаn', 'Москваabc', 'abcΩ', '한국어ひらがな', 'مرحباabc']) await refused(chat.signIn(name), ['mixed-scripts'], name);

  const alice = await chat.signIn('alice');
  await refused(chat.createChannel(alice, 'gеneral'), ['mixed-scripts'], 'general with a Cyrillic е');
  for (const name of ['GENERAL', 'genera1', 'ｇｅｎｅｒａｌ', 'gen\u200Deral']) await refused(chat.createChannel(alice, name), ['channel-exists'], name);
  await chat.createChannel(alice, 'cop');
  await refused(chat.createChannel(alice, 'сор'), ['channel-exists'], 'Cyrillic сор');
  assert.equal((await chat.createChannel(alice, 'Новости')).name, 'Новости');
});

test('bidi controls, zero-width characters and lone surrogates never become part of a name; combining marks are capped', async () => {
  const { chat } = await openChat();
  assert.equal((await chat.signIn('\u202Eevil\u2066')).name, 'evil');
  assert.equal((await chat.signIn('z\u200Be\u200Dr\u200Co\u2060\uFEFF')).name, 'zero');
  const tall = await chat.signIn('e' + '\u0301'.repeat(24) + 'x');
  // NFKC composes the first mark into é; of the rest at most 4 in a row are kept.
  assert.equal(tall.name, 'é' + '\u0301'.repeat(4) + 'x', 'at most 4 marks in a row');
  await refused(chat.signIn('ab\uD800'), ['name-invalid'], 'a lone surrogate');
  await refused(chat.signIn('\u200B\u200D'), ['name-invalid'], 'nothing visible');
  const alice = await chat.signIn('alice');
  assert.equal((await chat.createChannel(alice, 'ne\u202Ews\u200B')).name, 'news');
});
