// Names that show as nothing are refused: Hangul fillers and other default-ignorable characters
// are no part of a name, a name needs a letter or digit that is not a mark, and no name has an
// empty key. A channel named two fillers could never be opened. Real server, WebSocket clients.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { runServer } from '../support/server.ts';

const stops: (() => Promise<void>)[] = [];
after(async () => { for (const stop of stops) await stop(); });

const INVISIBLE = { 'Hangul filler': '\u3164', 'halfwidth Hangul filler': '\uFFA0', 'three fillers': '\u3164\u3164\u3164', 'a combining mark alone': '\u0301', 'Mongolian FVS1': '\u180B', 'a dot': '.', 'dash-dot': '-.-' };

test('invisible user names and channel names are refused with a clear error; invisible messages are empty', async () => {
  const s = await runServer();
  stops.push(s.stop);
  for (const [what, name] of Object.entries(INVISIBLE)) {
    const c = new RemoteHeadless(s.url);
    stops.push(() => c.close());
    await c.connect();
    await c.signIn(name);
    assert.ok(!c.driver.has('messages'), `${what}: not signed in`);
    const refusal = c.driver.errors.at(-1);
    assert.equal(refusal?.code, 'auth-failed', `${what}: refused`);
    assert.match(String(refusal?.message), /\S/, `${what}: the refusal says why`);
    await c.close();
  }

  const c = new RemoteHeadless(s.url);
  stops.push(() => c.close());
  await c.connect();
  await c.signIn('han');
  c.driver.click('open-new-channel');
  await c.until(() => c.driver.has('create'), 'the new-channel popup');
  c.driver.type('name', '\u3164\u3164'); c.driver.click('create');
  await c.until(() => c.driver.text('error') !== '', 'the refusal');
  assert.deepEqual(c.driver.items('channels').map(a => a.text), ['general'], 'no blank channel was made');
  c.driver.cancel();
  await c.until(() => !c.driver.has('create'), 'the popup closed');

  c.driver.type('message', 'a\u3164\u3164b'); c.driver.click('send');
  await c.until(() => c.driver.items('messages').some(a => !a.system), 'the message');
  assert.deepEqual(c.driver.items('messages').filter(a => !a.system).map(a => a.text), ['ab'], 'fillers do not hide inside text');
});
