// Operator logs (issue 10, item 12): `palaver serve` run as an operator runs it, as a child process,
// writes JSON lines with an `event` field for what happens, at the level asked for, without
// passwords, tokens or stack traces for bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { tempDir } from '../support/chat.ts';

const BIN = fileURLToPath(new URL('../../bin/palaver.js', import.meta.url));
type Line = { level: number; event?: string; msg?: string; [k: string]: unknown };

const children: ChildProcess[] = [];
after(() => { for (const c of children) c.kill('SIGKILL'); });

async function until(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

/** A free loopback port, for a server whose log will not say where it listens. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>(r => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise(r => s.close(r));
  return port;
}

async function serve(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'serve', '--data', await tempDir('palaver-logs-'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  let exited = false;
  child.stdout!.on('data', d => { out += d; });
  child.stderr!.on('data', d => { err += d; });
  const exit = new Promise<void>(r => child.once('exit', () => { exited = true; r(); }));
  const lines = () => out.split('\n').filter(Boolean).map(l => JSON.parse(l) as Line);
  return {
    text: () => out + err,
    lines,
    exited: () => exited,
    async stop() { child.kill('SIGTERM'); await exit; },
    async waitFor(pred: (l: Line) => boolean, what: string) {
      await until(() => exited || lines().some(pred), what);
      assert.ok(!exited, `the server exited: ${err}`);
      return lines().find(pred)!;
    },
  };
}

test('--log-level info: JSON lines for start, sign-in and stop; never the password or the token', async () => {
  const s = await serve(['--port', '0', '--log-level', 'info']);
  const start = await s.waitFor(l => l.event === 'start', 'the start line');
  assert.equal(start.level, 30);
  assert.match(String(start.url), /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(start.version, '0.1.0');
  const password = 'Tr0ub4dor&3-never-logged';
  const c = new RemoteHeadless(String(start.url));
  await c.connect();
  await c.signIn('ivy', password);
  assert.ok(c.driver.has('messages'), 'ivy is signed in');
  const signIn = await s.waitFor(l => l.event === 'sign-in', 'the sign-in line');
  assert.equal(signIn.name, 'ivy');
  await c.close();
  await s.stop();
  assert.ok(s.lines().some(l => l.event === 'stop'), 'the shutdown is logged');
  const token = c.cookie!.split('=')[1].split('.')[0];
  assert.ok(!s.text().includes(password), 'the password is not in the log');
  assert.ok(!s.text().includes(token), 'the sign-in token is not in the log');
  for (const l of s.lines()) assert.equal(typeof l.time, 'number');
});

test('--log-level warn: no info lines, not even the start', async () => {
  const port = await freePort();
  const s = await serve(['--port', String(port), '--log-level', 'warn']);
  const url = `http://127.0.0.1:${port}/`;
  await until(() => s.exited() || fetch(new URL('/healthz', url)).then(r => r.ok, () => false), 'the server to answer');
  assert.ok(!s.exited(), 'the server is running');
  const c = new RemoteHeadless(url);
  await c.connect();
  await c.signIn('jay');
  assert.ok(c.driver.has('messages'), 'jay is signed in');
  await c.close();
  await s.stop();
  assert.deepEqual(s.lines().filter(l => l.level < 40), []);
});

test('bad frames are refused in the log by code, without a stack trace; even at trace level no password', async () => {
  const s = await serve(['--port', '0', '--log-level', 'trace']);
  const start = await s.waitFor(l => l.event === 'start', 'the start line');
  const c = new RemoteHeadless(String(start.url));
  await c.connect();
  const password = 'kims-own-secret-7781';
  await c.signIn('kim', password);
  const send = c.received.map(t => JSON.parse(t)).find(f => f.op === 'new' && f.attrs?.name === 'send').id;
  const bad = [
    '{not json', '{"op":"nope"}', '{"op":"input","id":"x"}',
    // Names that are properties of every JS object (issue 10, item 3).
    `{"op":"event","id":"${send}","name":"constructor","state":{}}`,
    `{"op":"event","id":"${send}","name":"__proto__","state":{}}`,
    '{"op":"event","id":"__proto__","name":"toString","state":{}}',
  ];
  for (const frame of bad) c.sendRaw(frame);
  const errors = () => c.received.map(t => JSON.parse(t)).filter(f => f.op === 'error');
  await c.until(() => errors().length >= bad.length, 'an error frame for each', 10_000);
  await s.waitFor(l => l.event === 'refused', 'a refusal line');
  await c.close();
  await s.stop();
  const text = s.text();
  assert.doesNotMatch(text, /"stack"|\n\s+at /, 'no stack trace');
  assert.deepEqual(s.lines().filter(l => l.level >= 50), [], 'bad input is not an error of the server');
  assert.ok(!text.includes(password), 'the password is not in the log');
});
