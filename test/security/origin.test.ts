// Origin checks trust the configured origins and the listen address, never the Host header.
// Real server; raw HTTP upgrade requests and POSTs with the headers a hostile page would cause.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { chatServer, stopAll } from './session-table-support.ts';

after(stopAll);

/** The status a WebSocket upgrade to /session gets with these headers (101 when accepted). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/session', url), {
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    req.on('response', res => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

/** The status of a POST to `path` with these headers. */
async function postStatus(url: string, path: string, body: object, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(new URL(path, url), { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(text.length), ...headers } }, res => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(text);
  });
}

test('a page of another origin is refused even when the Host header agrees with it', async () => {
  const { url } = await chatServer();
  const evil = { host: 'evil.example', origin: 'http://evil.example' };
  assert.equal(await upgradeStatus(url, evil), 403);
  assert.equal(await postStatus(url, '/poll', { tab: 't', frames: [] }, evil), 403);
  assert.equal(await postStatus(url, '/auth', { ticket: 'x' }, evil), 403);
});

test('the listen address is accepted in each loopback spelling; a client without Origin too', async () => {
  const { url, port } = await chatServer();
  for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]) {
    assert.equal(await upgradeStatus(url, { origin }), 101, origin);
    assert.notEqual(await postStatus(url, '/poll', { tab: 't', frames: [] }, { origin }), 403, origin);
  }
  assert.equal(await upgradeStatus(url, {}), 101);
  assert.equal(await upgradeStatus(url, { origin: `https://127.0.0.1:${port}` }), 403, 'another scheme is another origin');
  assert.equal(await upgradeStatus(url, { origin: `http://127.0.0.1:${port + 1}` }), 403, 'another port too');
  assert.equal(await upgradeStatus(url, { origin: 'null' }), 403);
});

test('a configured public origin is accepted, scheme included', async () => {
  const { url } = await chatServer({ origins: ['https://chat.example'] });
  assert.equal(await upgradeStatus(url, { host: 'chat.example', origin: 'https://chat.example' }), 101);
  assert.equal(await postStatus(url, '/poll', { tab: 't', frames: [] }, { origin: 'https://chat.example' }), 200);
  assert.equal(await upgradeStatus(url, { host: 'chat.example', origin: 'http://chat.example' }), 403);
  assert.equal(await postStatus(url, '/poll', { tab: 't', frames: [] }, { origin: 'http://chat.example' }), 403);
});

test('a server listening on every interface accepts its interface addresses, and nothing else', async () => {
  const { server, port } = await chatServer({}, '0.0.0.0');
  const url = `http://127.0.0.1:${port}/`;
  assert.ok(server.origins.has(`http://127.0.0.1:${port}`));
  assert.equal(await upgradeStatus(url, { origin: `http://localhost:${port}` }), 101);
  assert.equal(await upgradeStatus(url, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }), 403);
});
