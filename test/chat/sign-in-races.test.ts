// Sign-in rules under concurrency, on the real chat over real SQLite: every check that guards a
// write happens in the same step as the write, so racing requests cannot all pass it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatError } from '../../chat/errors.ts';
import { openChat } from '../support/chat.ts';

/** The refusal codes of settled promises ('ok' for a fulfilled one), counted. */
async function outcomes(promises: Promise<unknown>[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const r of await Promise.allSettled(promises)) {
    const key = r.status === 'fulfilled' ? 'ok' : r.reason instanceof ChatError ? r.reason.code : String(r.reason);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

test('300 concurrent wrong passwords for one name: 5 are checked, 295 refused before any check', async () => {
  const { chat } = await openChat();
  await chat.signOut(await chat.signIn('vault', 'the-right-one'));
  // Reserving an attempt does not stand in the way of the right password among wrong ones.
  assert.deepEqual(await outcomes([chat.signIn('vault', 'wrong-1'), chat.signIn('vault', 'the-right-one'), chat.signIn('vault', 'wrong-2')]), { 'wrong-password': 2, ok: 1 });
  const counts = await outcomes(Array.from({ length: 300 }, (_, i) => chat.signIn('vault', `guess-${i}`)));
  assert.deepEqual(counts, { 'wrong-password': 5, 'rate-limited': 295 });
  await assert.rejects(chat.signIn('vault', 'the-right-one'), (e: unknown) => e instanceof ChatError && e.code === 'rate-limited', 'locked for the window');
});

test('two registrations of one new name with different passwords at once: exactly one wins, 100 times out of 100', async () => {
  const { chat } = await openChat();
  for (let round = 0; round < 100; round++) {
    const name = `fresh${round}`;
    const [a, b] = await Promise.allSettled([chat.signIn(name, 'password-a'), chat.signIn(name, 'password-b')]);
    assert.equal([a, b].filter(r => r.status === 'fulfilled').length, 1, `round ${round}`);
    const loser = (a.status === 'rejected' ? a : b) as PromiseRejectedResult;
    assert.equal((loser.reason as ChatError).code, 'name-taken');
    const winner = a.status === 'fulfilled' ? 'password-a' : 'password-b';
    const other = winner === 'password-a' ? 'password-b' : 'password-a';
    await assert.rejects(chat.signIn(name, other), (e: unknown) => e instanceof ChatError && e.code === 'wrong-password', 'the loser\'s password was not stored');
    assert.ok(await chat.signIn(name, winner), 'the winner\'s password is the one stored');
  }
});

test('concurrent first sign-ins of an unregistered name: exactly one holds it', async () => {
  const { chat } = await openChat();
  const counts = await outcomes(Array.from({ length: 20 }, () => chat.signIn('zed')));
  assert.deepEqual(counts, { ok: 1, 'name-taken': 19 });
  const mixed = await outcomes([chat.signIn('yan'), chat.signIn('yan', 'with-a-password'), chat.signIn('YAN')]);
  assert.deepEqual(mixed, { ok: 1, 'name-taken': 2 }, 'with and without a password, in any case');
});

test('registering a password: of two at once exactly one is kept; an ended sign-in cannot register', async () => {
  const { chat } = await openChat();
  const login = await chat.signIn('carol');
  const counts = await outcomes([chat.registerPassword(login, 'first-one'), chat.registerPassword(login, 'second-one')]);
  assert.deepEqual(counts, { ok: 1, 'not-allowed': 1 });
  await chat.signOut(login);
  const works = await outcomes([chat.signIn('carol', 'first-one'), chat.signIn('carol', 'second-one')]);
  assert.deepEqual(works, { ok: 1, 'wrong-password': 1 });

  const dave = await chat.signIn('dave');
  await chat.signOut(dave);
  await assert.rejects(chat.registerPassword(dave, 'too-late'), (e: unknown) => e instanceof ChatError && e.code === 'not-allowed', 'the name is no longer this sign-in\'s');
  assert.ok(await chat.signIn('dave'), 'dave is still unregistered');
});
