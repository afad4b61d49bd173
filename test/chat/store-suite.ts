// The store test suite: what every ChatStore promises (chat/store.ts), run against each store
// (store-sqlite.test.ts, store-postgres.test.ts) on a real database. Several stores opened on
// one database stand for several processes sharing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, ChatStore, LoginRecord, Message } from '../../chat/store.ts';

/** A fresh, empty database. */
export interface StoreDatabase {
  /** Opens a store on it: another connection, as another process would. */
  open(): Promise<ChatStore>;
}
export type MakeDatabase = () => Promise<StoreDatabase>;
type Register = (title: string, fn: () => Promise<void>) => void;

/** Runs the suite under node:test, each case a test named after the store. */
export function storeSuite(name: string, make: MakeDatabase, options: { skip?: string } = {}) {
  cases(make, (title, fn) => test(`${name}: ${title}`, options, fn));
}

const T0 = Date.UTC(2026, 10, 21, 9, 30);
const HOUR = 3_600_000;

function login(userKey: string, token: string, at = T0, name = userKey): LoginRecord {
  return { tokenHash: `hash-${token}`, userKey, name, createdAt: at, expiresAt: at + HOUR };
}

export function cases(make: MakeDatabase, register: Register) {
  /** A case on a fresh database; every store it opens is closed after it. */
  const storeCase = (title: string, fn: (open: () => Promise<ChatStore>) => Promise<void>) => register(title, async () => {
    const db = await make();
    const opened: ChatStore[] = [];
    try {
      await fn(async () => { const s = await db.open(); opened.push(s); return s; });
    } finally {
      for (const s of opened) await s.close();
    }
  });

  storeCase('of 20 concurrent claims of one name, from two processes, exactly one wins', async open => {
    const [a, b] = [await open(), await open()];
    const claims = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimName(login('zed', `t${i}`, T0, `Zed${i}`), null, T0));
    const results = await Promise.all(claims);
    assert.deepEqual(results.filter(r => r === 'ok').length, 1, JSON.stringify(results));
    assert.deepEqual(results.filter(r => r === 'taken').length, 19);
    const winner = results.indexOf('ok');
    assert.equal((await a.getUser('zed'))?.name, `Zed${winner}`, 'the winner\'s spelling is the display name');
    for (let i = 0; i < 20; i++) assert.equal((await b.getLogin(`hash-t${i}`)) !== null, i === winner, `only the winner's login is stored (${i})`);

    // Again once that login has expired: the user exists now, and still one claim wins.
    const later = T0 + 2 * HOUR;
    const again = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).claimName(login('zed', `u${i}`, later, `ZED${i}`), null, later)));
    assert.deepEqual(again.filter(r => r === 'ok').length, 1, JSON.stringify(again));
    assert.equal((await b.getUser('zed'))?.name, `ZED${again.indexOf('ok')}`);
  });

  storeCase('of concurrent registrations of one new name, exactly one wins and only its password is stored', async open => {
    const [a, b] = [await open(), await open()];
    for (let round = 0; round < 10; round++) {
      const key = `fresh${round}`;
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).claimName(login(key, `${round}-${i}`), `hash-of-password-${i}`, T0)));
      assert.equal(results.filter(r => r === 'ok').length, 1, `round ${round}: ${results}`);
      // A loser finds the name held or, once the winner's password is in, registered.
      assert.ok(results.every(r => r === 'ok' || r === 'taken' || r === 'registered'), `round ${round}: ${results}`);
      assert.equal((await a.getUser(key))?.passwordHash, `hash-of-password-${results.indexOf('ok')}`);
    }
  });

  storeCase('claimName: a held name is taken until its login expires; a registered name is refused for ever', async open => {
    const s = await open();
    assert.equal(await s.claimName(login('ann', 'first', T0, 'Ann'), null, T0), 'ok');
    assert.equal(await s.claimName(login('ann', 'second', T0 + 1000, 'ANN'), null, T0 + 1000), 'taken');
    assert.equal(await s.getLogin('hash-second'), null, 'a refused claim stores nothing');
    assert.equal((await s.getUser('ann'))?.name, 'Ann');
    // At the very instant of expiry the login no longer holds the name.
    assert.equal(await s.claimName(login('ann', 'third', T0 + HOUR, 'aNN'), null, T0 + HOUR), 'ok');
    const ann = await s.getUser('ann');
    assert.deepEqual(ann, { key: 'ann', name: 'aNN', passwordHash: null, lastChannel: null, createdAt: T0 }, 'the new holder spells it; the user keeps its creation time');

    assert.equal(await s.claimName(login('bea', 'b1'), 'bea-hash', T0), 'ok');
    await s.deleteLogin('hash-b1');
    assert.equal(await s.hasActiveLogin('bea', T0), false);
    assert.equal(await s.claimName(login('bea', 'b2', T0, 'Mallory'), null, T0), 'registered');
    assert.equal(await s.claimName(login('bea', 'b3', T0, 'Mallory'), 'other-hash', T0), 'registered');
    assert.deepEqual(await s.getUser('bea'), { key: 'bea', name: 'bea', passwordHash: 'bea-hash', lastChannel: null, createdAt: T0 });
    assert.equal(await s.getLogin('hash-b2'), null);
  });

  storeCase('setFirstPassword: only while that login holds the name, only once, of two at once exactly one', async open => {
    const [a, b] = [await open(), await open()];
    await a.claimName(login('cat', 'c1'), null, T0);
    assert.equal(await a.setFirstPassword('cat', 'h', 'hash-other', T0), false, 'another token');
    assert.equal(await a.setFirstPassword('cat', 'h', 'hash-c1', T0 + HOUR), false, 'an expired login');
    const both = await Promise.all([a.setFirstPassword('cat', 'ha', 'hash-c1', T0), b.setFirstPassword('cat', 'hb', 'hash-c1', T0)]);
    assert.deepEqual(both.filter(Boolean).length, 1);
    assert.equal((await b.getUser('cat'))?.passwordHash, both[0] ? 'ha' : 'hb');
    assert.equal(await a.setFirstPassword('cat', 'again', 'hash-c1', T0), false, 'it has one now');
    assert.equal(await a.setFirstPassword('nobody', 'h', 'hash-c1', T0), false, 'no such user');
  });

  storeCase('logins: stored, read, renewed, deleted; active only before expiresAt; expired ones swept', async open => {
    const s = await open();
    assert.equal(await s.getLogin('hash-x'), null);
    await s.createLogin(login('dan', 'd1'));
    await s.createLogin({ ...login('dan', 'd2'), expiresAt: T0 + 10 });
    await s.createLogin({ ...login('eve', 'e1'), expiresAt: T0 + 20 });
    assert.deepEqual(await s.getLogin('hash-d1'), { tokenHash: 'hash-d1', userKey: 'dan', name: 'dan', createdAt: T0, expiresAt: T0 + HOUR });
    assert.equal(await s.hasActiveLogin('eve', T0 + 19), true);
    assert.equal(await s.hasActiveLogin('eve', T0 + 20), false);
    assert.equal(await s.hasActiveLogin('nobody', T0), false);
    await s.touchLogin('hash-e1', T0 + 2 * HOUR);
    assert.equal((await s.getLogin('hash-e1'))?.expiresAt, T0 + 2 * HOUR);
    assert.equal(await s.deleteExpiredLogins(T0 + 10), 1, 'only d2 (expiresAt <= now)');
    assert.equal(await s.getLogin('hash-d2'), null);
    assert.ok(await s.getLogin('hash-d1'));
    assert.equal(await s.deleteExpiredLogins(T0 + 10), 0);
    await s.deleteLogin('hash-d1');
    await s.deleteLogin('hash-d1');
    assert.equal(await s.getLogin('hash-d1'), null);
    assert.equal(await s.hasActiveLogin('dan', T0), false);
  });

  storeCase('users: the last channel is kept; an unknown user is null', async open => {
    const s = await open();
    assert.equal(await s.getUser('fay'), null);
    await s.claimName(login('fay', 'f1', T0, 'Fay'), null, T0);
    await s.setLastChannel('fay', 'random');
    assert.equal((await s.getUser('fay'))?.lastChannel, 'random');
    await s.setLastChannel('nobody', 'random');
    assert.equal(await s.getUser('nobody'), null, 'setting it for no one creates no one');
  });

  storeCase('channels: created once (of concurrent creations of one key, one), listed by creation time then key', async open => {
    const [a, b] = [await open(), await open()];
    const made = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).createChannel({ key: 'news', name: `News${i}`, creator: `u${i}`, createdAt: T0 + 5 })));
    assert.equal(made.filter(Boolean).length, 1);
    const winner = made.indexOf(true);
    assert.deepEqual(await b.getChannel('news'), { key: 'news', name: `News${winner}`, creator: `u${winner}`, createdAt: T0 + 5 });
    assert.equal(await a.createChannel({ key: 'news', name: 'again', creator: null, createdAt: T0 }), false);
    for (const key of ['b', 'z', 'ä', 'a']) assert.equal(await a.createChannel({ key, name: key.toUpperCase(), creator: null, createdAt: T0 }), true);
    // Keys of one moment are ordered by code point, whatever the database's locale would say.
    assert.deepEqual((await b.listChannels()).map(c => c.key), ['a', 'b', 'z', 'ä', 'news']);
    assert.equal((await a.listChannels())[0].creator, null);
    assert.equal(await a.getChannel('nope'), null);
  });

  storeCase('messages: ids increase across processes; a page is the newest before `before`, oldest first', async open => {
    const [a, b] = [await open(), await open()];
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) {
      const m = await (i % 2 ? a : b).addMessage({ channel: i % 3 ? 'main' : 'side', author: 'Gus', authorKey: 'gus', text: `m${i}`, at: T0 + i });
      assert.equal(typeof m.id, 'number');
      ids.push(m.id);
    }
    assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), `increasing: ${ids}`);
    const main = ids.map((id, i) => ({ id, i })).filter(x => x.i % 3);
    const texts = (ms: { text: string }[]) => ms.map(m => m.text);
    assert.deepEqual(texts(await a.messages('main', 5)), main.slice(-5).map(x => `m${x.i}`));
    assert.deepEqual(texts(await a.messages('main', 5, main[main.length - 5].id)), main.slice(-10, -5).map(x => `m${x.i}`));
    assert.deepEqual(texts(await b.messages('main', 100, main[3].id)), main.slice(0, 3).map(x => `m${x.i}`));
    assert.deepEqual(await b.messages('main', 100, main[0].id), []);
    assert.deepEqual(await b.messages('empty', 10), []);
    assert.equal((await a.messages('main', 100)).length, 20);
    assert.deepEqual((await a.messages('side', 1))[0], { id: ids[27], channel: 'side', author: 'Gus', authorKey: 'gus', text: 'm27', at: T0 + 27 });
    assert.deepEqual(await b.getMessage(ids[4]), { id: ids[4], channel: 'main', author: 'Gus', authorKey: 'gus', text: 'm4', at: T0 + 4 });
    assert.equal(await b.getMessage(ids[29] + 1000), null);
  });

  storeCase('messages: deleted once, then gone from reads and pages', async open => {
    const [a, b] = [await open(), await open()];
    const ms: Message[] = [];
    for (let i = 0; i < 4; i++) ms.push(await a.addMessage({ channel: 'main', author: 'Hal', authorKey: 'hal', text: `m${i}`, at: T0 }));
    const both = await Promise.all([a.deleteMessage(ms[1].id), b.deleteMessage(ms[1].id)]);
    assert.deepEqual(both.filter(Boolean).length, 1, 'of two deletions at once, one deleted it');
    assert.equal(await a.deleteMessage(ms[1].id), false);
    assert.equal(await b.getMessage(ms[1].id), null);
    assert.deepEqual((await b.messages('main', 10)).map(m => m.text), ['m0', 'm2', 'm3']);
    assert.deepEqual((await b.messages('main', 2, ms[3].id)).map(m => m.text), ['m0', 'm2']);
    const next = await b.addMessage({ channel: 'main', author: 'Hal', authorKey: 'hal', text: 'm4', at: T0 });
    assert.ok(next.id > ms[3].id, 'ids are never reused');
  });

  storeCase('grants: granted once, checked, listed, revoked', async open => {
    const s = await open();
    assert.equal(await s.hasGrant('ivy', 'create-channel'), false);
    await s.grant('ivy', 'create-channel', 'admin', T0);
    await s.grant('ivy', 'create-channel', 'someone-else', T0 + 1);
    await s.grant('jay', 'create-channel', 'admin', T0);
    await s.grant('ivy', 'other', 'admin', T0);
    assert.equal(await s.hasGrant('ivy', 'create-channel'), true);
    assert.equal(await s.hasGrant('ivy', 'nothing'), false);
    const sorted = (gs: { userKey: string; permission: string }[]) => gs.map(g => `${g.userKey}:${g.permission}`).sort();
    assert.deepEqual(sorted(await s.listGrants()), ['ivy:create-channel', 'ivy:other', 'jay:create-channel']);
    await s.revoke('ivy', 'create-channel');
    await s.revoke('ivy', 'create-channel');
    assert.equal(await s.hasGrant('ivy', 'create-channel'), false);
    assert.deepEqual(sorted(await s.listGrants()), ['ivy:other', 'jay:create-channel']);
  });

  storeCase('externalVersion changes when another process writes a grant, never for our own reads or writes', async open => {
    const [server, console] = [await open(), await open()];
    const v0 = await server.externalVersion();
    assert.equal(typeof v0, 'number');
    await server.getUser('kim');
    await server.listGrants();
    await server.grant('kim', 'create-channel', 'admin', T0);
    await server.revoke('kim', 'create-channel');
    await server.grant('kim', 'create-channel', 'admin', T0);
    assert.equal(await server.externalVersion(), v0, 'our own writes and reads');
    await console.revoke('kim', 'create-channel');
    const v1 = await server.externalVersion();
    assert.notEqual(v1, v0, 'a revoke by another process');
    assert.equal(await server.externalVersion(), v1, 'asked again, nothing new');
    await console.grant('lee', 'create-channel', 'console', T0);
    const v2 = await server.externalVersion();
    assert.ok(v2 !== v1 && v2 !== v0, 'a grant by another process');
    // And the other way round: the console's own writes do not move its version.
    const c0 = await console.externalVersion();
    await console.revoke('lee', 'create-channel');
    assert.equal(await console.externalVersion(), c0);
    await server.grant('lee', 'create-channel', 'admin', T0);
    assert.notEqual(await console.externalVersion(), c0);
  });

  storeCase('alerts: newest first, up to the limit, ids increasing', async open => {
    const s = await open();
    const made: Alert[] = [];
    for (let i = 0; i < 5; i++) made.push(await s.addAlert({ author: 'Max', text: `alert ${i}`, at: T0 + i }));
    assert.ok(made.every((a, i) => typeof a.id === 'number' && (i === 0 || a.id > made[i - 1].id)));
    assert.deepEqual(await s.alerts(3), made.slice(2).reverse());
    assert.deepEqual((await s.alerts(100)).map(a => a.text), ['alert 4', 'alert 3', 'alert 2', 'alert 1', 'alert 0']);
  });

  storeCase('Unicode text and names come back exactly as stored', async open => {
    const [a, b] = [await open(), await open()];
    const texts = [
      'Привет, мир 👋', 'مرحبا بالعالم', 'שָׁלוֹם', '你好，世界', 'नमस्ते', '👩‍💻 and 👨‍👩‍👧‍👦 and 🇫🇷', 'e\u0301 vs é',
      'line one\nline two\tindented', 'quotes \' " \\ and $1 %s', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙 𐍈', '😀'.repeat(1000) + 'x'.repeat(3000),
    ];
    for (const text of texts) {
      const m = await a.addMessage({ channel: 'ünïcödé', author: 'Zoë 山田', authorKey: 'zoe', text, at: T0 });
      assert.deepEqual(await b.getMessage(m.id), { ...m });
    }
    assert.deepEqual((await b.messages('ünïcödé', 100)).map(m => m.text), texts);
    await a.claimName(login('山田', 'y', T0, '山田'), 'hash', T0);
    assert.equal((await b.getUser('山田'))?.name, '山田');
    await a.createChannel({ key: 'кофе', name: 'Кофе ☕', creator: '山田', createdAt: T0 });
    assert.deepEqual(await b.getChannel('кофе'), { key: 'кофе', name: 'Кофе ☕', creator: '山田', createdAt: T0 });
    const alert = await a.addAlert({ author: 'Zoë', text: 'حريق 🔥', at: T0 });
    assert.deepEqual((await b.alerts(1))[0], alert);
  });

  storeCase('closing: close may be called twice; a closed store refuses; what it wrote stays for the next', async open => {
    const s = await open();
    await s.claimName(login('ned', 'n1'), 'hash', T0);
    const m = await s.addMessage({ channel: 'main', author: 'ned', authorKey: 'ned', text: 'kept', at: T0 });
    await s.close();
    await s.close();
    await assert.rejects(s.getUser('ned'));
    await assert.rejects(s.addMessage({ channel: 'main', author: 'ned', authorKey: 'ned', text: 'lost', at: T0 }));
    const again = await open();
    assert.equal((await again.getUser('ned'))?.passwordHash, 'hash');
    assert.deepEqual(await again.messages('main', 10), [m]);
  });
}
