import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeClientFrame, decodeServerFrame, encode, ProtocolError, MAX_FRAME_BYTES } from '../../core/protocol.ts';
import { Outbox } from '../../core/outbox.ts';

const refused = (text: string) => {
  const r = decodeClientFrame(text);
  assert.ok(r instanceof ProtocolError, `expected ${text} to be refused`);
  return `${r.code}: ${r.message}`;
};

test('valid client frames decode to what was sent', () => {
  for (const f of [
    { op: 'hello', version: 1, tab: 't1', after: 3, languages: ['ru'] },
    { op: 'get', after: 6 },
    { op: 'event', id: 'w4', name: 'click', state: { w7: 'hi', w5: null } },
    { op: 'input', id: 'w7', value: 'half' },
    { op: 'auth', user: 'alice', password: 'pw' },
    { op: 'ack', seq: 11 },
  ]) assert.deepEqual(decodeClientFrame(JSON.stringify(f)), f);
});

test('malformed frames are refused with a clear error, never a throw', () => {
  assert.equal(refused('{nope'), 'bad-json: the frame is not valid JSON');
  assert.equal(refused('[1,2]'), 'bad-frame: a frame must be a JSON object');
  assert.equal(refused('{"op":"dance"}'), 'unknown-op: unknown op "dance" (expected one of hello, get, event, input, auth, ack)');
  assert.equal(refused('{"op":"ack","seq":-1}'), 'bad-frame: ack: missing or invalid field seq');
  assert.equal(refused('{"op":"event","id":"w1","name":"click","state":{"w2":{"x":1}}}'), 'bad-frame: event: missing or invalid field state');
  assert.equal(refused('{"op":"get","after":1,"extra":true}'), 'bad-frame: get: unexpected field extra');
  assert.equal(refused('{"op":"__proto__"}'), 'unknown-op: unknown op "__proto__" (expected one of hello, get, event, input, auth, ack)');
  assert.equal(refused(JSON.stringify({ op: 'input', id: 'w1', value: 'x'.repeat(MAX_FRAME_BYTES) })), `too-large: frames are limited to ${MAX_FRAME_BYTES} bytes`);
});

test('server frames round-trip through the client decoder', () => {
  const f = { op: 'new', seq: 7, id: 'w12', kind: 'item', parent: 'w5', attrs: { text: 'hi', mine: true }, events: [] } as const;
  assert.deepEqual(decodeServerFrame(encode(f)), f);
  assert.ok(decodeServerFrame('{"op":"new","seq":1,"id":"w1","kind":"blink","parent":null,"attrs":{},"events":[]}') instanceof ProtocolError);
});

test('sequence numbers, acknowledgement and replay after a given seq', () => {
  const box = new Outbox();
  for (let i = 1; i <= 5; i++) box.push({ op: 'delete', id: `w${i}` });
  assert.equal(box.lastSeq, 5);
  assert.deepEqual(box.since(3)!.map(t => JSON.parse(t).seq), [4, 5]);
  box.ack(3);
  assert.equal(box.size, 2);
  assert.deepEqual(box.since(3)!.map(t => JSON.parse(t).id), ['w4', 'w5']);
  assert.deepEqual(box.since(5), []);
  assert.equal(box.since(2), null, 'what was acknowledged is gone: a client behind it needs a snapshot');
});

test('repeated sets of one attribute collapse into the last', () => {
  const box = new Outbox();
  box.push({ op: 'set', id: 'w3', attr: 'text', value: 'a' });
  box.push({ op: 'set', id: 'w3', attr: 'title', value: 't' });
  box.push({ op: 'set', id: 'w3', attr: 'text', value: 'b' });
  box.push({ op: 'set', id: 'w3', attr: 'text', value: 'c' });
  const frames = box.since(0)!.map(t => JSON.parse(t));
  assert.deepEqual(frames.map(f => [f.seq, f.attr, f.value]), [[2, 'title', 't'], [4, 'text', 'c']]);
  assert.equal(box.size, 2);
});

test('overflow of the bounded queue turns a replay into a snapshot', () => {
  const box = new Outbox({ commands: 10, bytes: 1 << 20 });
  for (let i = 1; i <= 25; i++) box.push({ op: 'delete', id: `w${i}` });
  assert.equal(box.size, 10);
  assert.equal(box.since(14), null, 'seq 15 was evicted');
  assert.deepEqual(box.since(15)!.map(t => JSON.parse(t).seq), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
  box.reset();
  box.push({ op: 'clear' });
  assert.deepEqual(box.since(25)!.map(t => JSON.parse(t)), [{ op: 'clear', seq: 26 }]);
  assert.equal(box.since(20), null);
});

test('the queue is bounded by bytes as well as by count', () => {
  const box = new Outbox({ commands: 1000, bytes: 1000 });
  for (let i = 0; i < 20; i++) box.push({ op: 'set', id: `w${i}`, attr: 'text', value: 'x'.repeat(100) });
  assert.ok(box.size < 10);
  assert.equal(box.since(0), null);
});

test('a shared entry encoded once reads exactly like one encoded per session', async () => {
  const { WireSession } = await import('../../drivers/http/wire-session.ts');
  const { fixtureApp } = await import('../support/fixture-app.ts');
  const app = await fixtureApp();
  const sent: string[][] = [[], []];
  const sessions = [0, 1].map(i => new WireSession(app, ['en']));
  sessions.forEach((ws, i) => ws.attach({ send: t => sent[i].push(t), close() {}, buffered: () => 0, onDrain() {} }));
  for (const ws of sessions) await ws.open({ name: 't', token: 't' });
  const shared = Object.freeze({ value: 'm1', text: 'hi "there"\n', author: 'ann', time: '09:00', mine: false, system: false });
  await sessions[0].session.run(() => sessions[0].session.add('list', shared));
  await sessions[1].session.run(() => sessions[1].session.add('list', { ...shared }));
  const last = (i: number) => JSON.parse(sent[i].at(-1)!);
  assert.deepEqual(last(0), last(1));
  assert.deepEqual(decodeServerFrame(sent[0].at(-1)!), last(1));
});
