// Sign-in under attack, against a real server over real WebSockets: concurrent password guesses,
// concurrent registrations of one new name, and a second `auth` on a signed-in session.
// Clients connect from many loopback addresses (127.0.x.y), as a botnet would, so that what is
// tested is the chat's per-name rules, not the per-address limits in front of them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { REFUSALS } from '../../ui-descriptions/refusals.ts';
import { runServer } from '../support/server.ts';

type Frame = { op: string; code?: string; message?: string };

const servers: { stop(): Promise<void> }[] = [];
after(async () => { for (const s of servers) await s.stop(); });
async function server() {
  const s = await runServer();
  servers.push(s);
  return s;
}

/** Waits until `pred` holds, polling, or fails after `ms`. */
async function until(pred: () => boolean, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

/** A raw protocol client from `localAddress`, greeted (its session has started). */
async function rawClient(baseUrl: string, localAddress: string) {
  const url = new URL('/session', baseUrl); url.protocol = 'ws:';
  const ws = new WebSocket(url, { localAddress });
  const frames: Frame[] = [];
  ws.on('message', d => frames.push(JSON.parse(d.toString())));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.send(JSON.stringify({ op: 'hello', version: 1, tab: Math.random().toString(36).slice(2), languages: ['en'] }));
  await until(() => frames.some(f => f.op === 'hello'), 'hello');
  return {
    frames,
    auth(user: string, password?: string) { ws.send(JSON.stringify({ op: 'auth', user, ...(password ? { password } : {}) })); },
    /** The first refusal or credential after the greeting: how an `auth` ended. */
    outcome(): Frame | undefined { return frames.find(f => f.op === 'error' || f.op === 'credential'); },
    close() { ws.terminate(); },
  };
}

const address = (i: number) => `127.0.${1 + (i >> 8)}.${1 + (i & 255)}`;

test('300 simultaneous wrong passwords for one name: at most 5 are checked, the rest are refused as too many', async () => {
  const s = await server();
  await s.chat.signOut(await s.chat.signIn('vault', 'the-right-one'));
  // 30 addresses with 10 connections each: within any per-address limit on sessions or sign-ins.
  const clients = await Promise.all(Array.from({ length: 300 }, (_, i) => rawClient(s.url, address(i % 30))));
  for (const [i, c] of clients.entries()) c.auth('vault', `guess-${i}`);
  await until(() => clients.every(c => c.outcome()), 'every auth to be answered', 60_000);
  const outcomes = clients.map(c => c.outcome()!);
  const wrong = outcomes.filter(f => f.message === REFUSALS['wrong-password']).length;
  assert.ok(wrong <= 5, `${wrong} passwords were checked`);
  assert.ok(outcomes.every(f => f.op === 'error'), 'nobody got in');
  const limited = outcomes.filter(f => f.code === 'rate-limited' || f.message === REFUSALS['rate-limited']).length;
  assert.equal(wrong + limited, 300, 'every other attempt is refused as too many');
  // The limit holds for the owner too until the window passes: the name cannot be brute-forced.
  const owner = await rawClient(s.url, '127.0.9.9');
  owner.auth('vault', 'the-right-one');
  await until(() => owner.outcome() !== undefined, 'the owner\'s answer');
  assert.equal(owner.outcome()!.message, REFUSALS['rate-limited']);
  for (const c of [...clients, owner]) c.close();
});

test('two clients registering one new name with different passwords at once: exactly one wins, 25 times out of 25', async () => {
  const s = await server();
  for (let round = 0; round < 25; round++) {
    const name = `fresh${round}`;
    const [a, b] = await Promise.all([rawClient(s.url, address(2 * round)), rawClient(s.url, address(2 * round + 1))]);
    a.auth(name, 'password-a'); b.auth(name, 'password-b');
    await until(() => a.outcome() !== undefined && b.outcome() !== undefined, 'both answers');
    const won = [a, b].filter(c => c.outcome()!.op === 'credential');
    assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
    const loser = won[0] === a ? b : a;
    assert.equal(loser.outcome()!.message, REFUSALS['name-taken']);
    // The winner's password is the one stored.
    const winnerPassword = won[0] === a ? 'password-a' : 'password-b';
    await s.chat.signOut(await s.chat.signIn(name, winnerPassword));
    a.close(); b.close();
  }
});

test('auth on a signed-in session ends the earlier sign-in: it leaves Here now, its cookie no longer resumes, its name is free', async () => {
  const s = await server();
  const bob = new RemoteHeadless(s.url);
  await bob.connect(); await bob.signIn('bob');
  const alice = new RemoteHeadless(s.url);
  await alice.connect(); await alice.signIn('alice');
  const oldCookie = alice.cookie;
  assert.ok(oldCookie);
  const here = () => bob.driver.items('users').map(a => a.text);
  await bob.until(() => here().includes('alice'), 'alice in Here now');

  alice.sendRaw(JSON.stringify({ op: 'auth', user: 'carol' }));
  await bob.until(() => here().includes('carol') && !here().includes('alice'), 'carol instead of alice in Here now');
  await alice.until(() => alice.driver.has('messages') && alice.cookie !== oldCookie, 'alice\'s session signed in anew');

  // The earlier cookie opens the login screen, not a session.
  const stale = new RemoteHeadless(s.url, { cookie: oldCookie! });
  await stale.connect();
  await stale.until(() => stale.driver.has('enter'), 'the login screen');
  assert.ok(!stale.driver.has('messages'));
  // The unregistered name is free for anyone again.
  const other = new RemoteHeadless(s.url);
  await other.connect(); await other.signIn('alice');
  assert.ok(other.driver.has('messages'), 'someone else signs in as alice');
  for (const c of [bob, alice, stale, other]) await c.close();
});
