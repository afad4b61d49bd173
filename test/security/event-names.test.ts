// Item 3 of the hardening issue: event and action names from a client are data, never property
// lookups that reach Object.prototype. Each 60-byte frame used to throw inside the session and
// log a six-line stack; now it is refused with `not-bound` and nothing is logged as an error.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { memoryLog } from '../support/memory-log.ts';
import { runServer } from '../support/server.ts';

const stops: (() => Promise<void>)[] = [];
after(async () => { for (const stop of stops) await stop(); });

test('constructor, __proto__ and toString as event names get a clear error frame, and no internal error', async () => {
  const log = memoryLog();
  const s = await runServer({ log });
  stops.push(s.stop);
  const c = new RemoteHeadless(s.url);
  stops.push(() => c.close());
  await c.connect();
  await c.signIn('mallory');
  const send = c.driver.find('send').id;
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', '__defineGetter__'];
  for (const name of names) c.sendRaw(JSON.stringify({ op: 'event', id: send, name, state: {} }));
  const errors = () => c.received.map(t => JSON.parse(t)).filter(f => f.op === 'error');
  await c.until(() => errors().length >= names.length, 'one error per frame');
  assert.deepEqual(errors().map(f => f.code), names.map(() => 'not-bound'));
  assert.ok(errors().every(f => !/prototype|TypeError|at /.test(f.message)), 'the message names the refusal, not a stack');
  c.driver.type('message', 'still here'); c.driver.click('send');
  await c.until(() => c.driver.items('messages').some(a => a.text === 'still here'), 'the next honest message');
  assert.deepEqual(log.lines.filter(l => l.level === 'error' || 'err' in l.fields), [], 'no error and no stack in the log');
  assert.ok(log.lines.some(l => l.fields.event === 'refused' && l.fields.code === 'not-bound'), 'the refusals are logged, by code');
});
