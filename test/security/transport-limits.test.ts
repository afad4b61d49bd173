// The transports against a hostile client: HTTP connections are limited per address, a tab holds
// one waiting poll, deeply nested JSON is a 400 without a stack, a WebSocket whose client ignores
// our close is cut, and ws's own refusals are logged as refusals.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES } from '../../core/protocol.ts';
import { memoryLog } from '../support/memory-log.ts';
import { chatServer, pollClient, stopAll, until } from './session-table-support.ts';

after(stopAll);

/** One request from `localAddress`; the status, the body, or `closed` if the connection was dropped. */
function post(url: string, path: string, body: string | null, o: { localAddress?: string; cookie?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise(resolve => {
    const headers: Record<string, string> = {};
    if (body !== null) { headers['content-type'] = 'application/json'; headers['content-length'] = String(Buffer.byteLength(body)); }
    if (o.cookie) headers.cookie = o.cookie;
    const req = request(new URL(path, url), { method: body === null ? 'GET' : 'POST', headers, localAddress: o.localAddress, agent: false }, res => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', d => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', () => resolve({ status: 0, text: 'closed' }));
    req.end(body ?? undefined);
  });
}

test('HTTP connections are limited per address; other addresses and freed slots are served', async () => {
  const log = memoryLog();
  const { url, port } = await chatServer({ limits: { connectionsPerAddress: 3 }, log });
  const held: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.41.1' });
    s.on('error', () => {});
    await new Promise(r => s.once('connect', r));
    held.push(s);
  }
  // The server counts a connection when it accepts it: poll until the fourth is refused.
  let refused = { status: 200, text: '' };
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    refused = await post(url, '/healthz', null, { localAddress: '127.0.41.1' });
    if (refused.status === 429) break;
  }
  assert.equal(refused.status, 429);
  assert.equal((await post(url, '/healthz', null, { localAddress: '127.0.41.2' })).status, 200, 'another address is served');
  assert.ok(log.lines.some(l => l.fields.event === 'refused' && l.fields.code === 'too-many-connections'));
  held[0].destroy();
  let freed = 0;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && freed !== 200;) freed = (await post(url, '/healthz', null, { localAddress: '127.0.41.1' })).status;
  assert.equal(freed, 200, 'a closed connection frees its slot');
  for (const s of held) s.destroy();
});

test('a tab holds one waiting poll: an earlier one answers when a newer one waits', async () => {
  const { url } = await chatServer();
  const client = pollClient(url, { localAddress: '127.0.42.1' });
  const hello = await client.poll('one-tab', [{ op: 'hello', version: 1, tab: 'one-tab' }]);
  assert.equal(hello.status, 200);
  const cookie = [...client.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const body = JSON.stringify({ tab: 'one-tab', frames: [], wait: true });
  const answers: { status: number; text: string }[] = [];
  for (let i = 0; i < 20; i++) void post(url, '/poll', body, { localAddress: '127.0.42.1', cookie }).then(r => answers.push(r));
  // Without the rule all 20 would wait the full 25 s; with it, all but the newest answer at once.
  await until(() => answers.length >= 19, '19 of 20 waiting polls answered', 15_000);
  assert.ok(answers.every(r => r.status === 200 && r.text === '[]'), JSON.stringify(answers));
});

test('deeply nested JSON in a poll is a 400, with no error or stack in the log', async () => {
  const log = memoryLog();
  const { url } = await chatServer({ log });
  const depth = 100_000;
  const arrays = await post(url, '/poll', `{"tab":"t","frames":[${'['.repeat(depth)}${']'.repeat(depth)}]}`);
  assert.equal(arrays.status, 400);
  const objects = await post(url, '/poll', `{"tab":"t","frames":[{"op":"hello","version":1,"x":${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}}]}`);
  assert.equal(objects.status, 400);
  assert.equal(JSON.parse(objects.text).error, 'too-deep');
  assert.deepEqual(log.lines.filter(l => l.level === 'error' || l.fields.err !== undefined), []);
});

test('a WebSocket whose client ignores our close is cut within seconds, not 30', async () => {
  const { port } = await chatServer({ helloTimeoutMs: 100 });
  const s = net.connect({ port, host: '127.0.0.1' });
  s.on('error', () => {});
  let got = '';
  let ended = false;
  s.on('data', d => { got += d.toString('latin1'); });     // read, but never answer the close frame
  s.on('close', () => { ended = true; });
  s.write(`GET /session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
  await until(() => got.includes('101 Switching Protocols'), 'the upgrade');
  await until(() => got.includes('no hello in time'), 'the close frame (4001)');
  await until(() => ended, 'the server to cut the socket', 10_000);
});

test("an oversized WebSocket frame is logged as a refusal with ws's code, not as an internal error", async () => {
  const log = memoryLog();
  const { url } = await chatServer({ log });
  const wsUrl = new URL('/session', url); wsUrl.protocol = 'ws:';
  const ws = new WebSocket(wsUrl);
  ws.on('error', () => {});
  let closed = false;
  ws.on('close', () => { closed = true; });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.send('x'.repeat(4 * MAX_FRAME_BYTES + 1));
  await until(() => closed, 'the server to close the socket');
  await until(() => log.lines.some(l => l.fields.event === 'refused' && l.fields.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'), 'the refusal logged');
  assert.deepEqual(log.lines.filter(l => l.level === 'error' || l.fields.err !== undefined), []);
});
