// Drafts (`input` frames) are what an idle session holds, so the server keeps them small: none
// for a secret box (the browser never sends one), and one past twice the box's max-length keeps
// the previous draft. Text sent with the submitting event is still taken whole. Real server, real
// WebSocket client.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { runServer } from '../support/server.ts';

const stops: (() => Promise<void>)[] = [];
after(async () => { for (const stop of stops) await stop(); });

async function client(url: string) {
  const c = new RemoteHeadless(url);
  stops.push(() => c.close());
  await c.connect();
  return c;
}
const frames = (c: RemoteHeadless) => c.received.map(t => JSON.parse(t));

test('a password sent as a draft is not kept: signing in needs it in the submit', async () => {
  const s = await runServer();
  stops.push(s.stop);
  const owner = await client(s.url);
  await owner.signIn('keeper', 'keepers-password');
  await owner.until(() => owner.driver.has('messages'), 'signed in');
  await owner.close();

  const c = await client(s.url);
  await c.until(() => c.driver.has('enter'), 'the login screen');
  const id = (name: string) => c.driver.find(name).id;
  c.sendRaw(JSON.stringify({ op: 'input', id: id('username'), value: 'keeper' }));
  c.sendRaw(JSON.stringify({ op: 'input', id: id('password'), value: 'keepers-password' }));
  c.sendRaw(JSON.stringify({ op: 'event', id: id('enter'), name: 'click', state: {} }));
  await c.until(() => c.driver.has('messages') || c.driver.text('error') !== '', 'an answer');
  assert.ok(!c.driver.has('messages'), 'not signed in with a password the server should not have kept');

  c.sendRaw(JSON.stringify({ op: 'event', id: id('enter'), name: 'click', state: { [id('username')]: 'keeper', [id('password')]: 'keepers-password' } }));
  await c.until(() => c.driver.has('messages'), 'signed in with the password sent at submit');
});

test('a draft over twice max-length keeps the previous draft; text at submit over the limit is refused, not cut', async () => {
  const s = await runServer();
  stops.push(s.stop);
  const c = await client(s.url);
  await c.signIn('typist');
  const message = c.driver.find('message').id;
  const send = c.driver.find('send').id;
  c.sendRaw(JSON.stringify({ op: 'input', id: message, value: 'the short draft' }));
  c.sendRaw(JSON.stringify({ op: 'input', id: message, value: '😀'.repeat(8001) }));   // 8,001 code points > 2 × 4,000
  c.sendRaw(JSON.stringify({ op: 'event', id: send, name: 'click', state: {} }));
  await c.until(() => c.driver.items('messages').some(a => a.text === 'the short draft'), 'the previous draft to be sent');

  // 8,000 astral code points (16,000 UTF-16 units) are within the draft bound; sent, they are too long.
  c.sendRaw(JSON.stringify({ op: 'input', id: message, value: '😀'.repeat(8000) }));
  c.sendRaw(JSON.stringify({ op: 'event', id: send, name: 'click', state: {} }));
  await c.until(() => c.driver.items('messages').some(a => a.system && /4000|4,000/.test(String(a.text))), 'the too-long note');
  const big = 'y'.repeat(9000);
  c.sendRaw(JSON.stringify({ op: 'event', id: send, name: 'click', state: { [message]: big } }));
  await c.until(() => c.driver.items('messages').filter(a => a.system && /4000|4,000/.test(String(a.text))).length >= 2, 'the too-long note again');
  assert.equal(c.driver.items('messages').filter(a => !a.system).length, 1, 'only the short draft was ever posted');
});
