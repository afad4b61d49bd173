// `palaver serve` flags for running on the open internet (issue 10, items 9 and 12): --origin and
// --log-level, their environment variables, and where the log goes (JSON, a terminal, a file).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serveOptions } from '../../app/serve.ts';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { tempDir } from '../support/chat.ts';
import { Tmux, tmuxMissing } from '../support/tmux.ts';

const BIN = fileURLToPath(new URL('../../bin/palaver.js', import.meta.url));
const skip = tmuxMissing();
const cleanup: (() => unknown)[] = [];
after(async () => { for (const c of cleanup.reverse()) await c(); });

test('--origin is repeatable and adds to PALAVER_ORIGINS; anything but http(s)://host[:port] is refused', () => {
  const o = serveOptions(['--origin', 'https://chat.example', '--origin', 'http://chat.example:8443'], { PALAVER_ORIGINS: 'https://a.example, https://b.example' });
  assert.deepEqual(o.origins, ['https://a.example', 'https://b.example', 'https://chat.example', 'http://chat.example:8443']);
  assert.deepEqual(serveOptions([], {}).origins, []);
  for (const bad of ['chat.example', 'https://chat.example/path', 'ftp://chat.example', 'https://user@chat.example']) {
    assert.throws(() => serveOptions(['--origin', bad], {}), /--origin: not an origin/, bad);
  }
});

test('--max-sessions and --trust-proxy (with their variables) reach the server; a bad count is refused', () => {
  assert.equal(serveOptions([], {}).sessions?.maxSessions, 50_000);
  assert.equal(serveOptions(['--max-sessions', '2000'], {}).sessions?.maxSessions, 2000);
  assert.equal(serveOptions([], { PALAVER_MAX_SESSIONS: '300' }).sessions?.maxSessions, 300);
  assert.throws(() => serveOptions(['--max-sessions', '0'], {}), /--max-sessions: not a positive whole number/);
  assert.deepEqual(serveOptions(['--trust-proxy', '10.0.0.0/8'], { PALAVER_TRUST_PROXY: 'loopback' }).trustProxy, ['loopback', '10.0.0.0/8']);
});

test('--log-level defaults to info, PALAVER_LOG_LEVEL sets it, the flag wins; a wrong level is refused', () => {
  assert.equal(serveOptions([], {}).logLevel, 'info');
  assert.equal(serveOptions([], { PALAVER_LOG_LEVEL: 'debug' }).logLevel, 'debug');
  assert.equal(serveOptions(['--log-level', 'warn'], { PALAVER_LOG_LEVEL: 'debug' }).logLevel, 'warn');
  assert.throws(() => serveOptions(['--log-level', 'loud'], {}), /--log-level: one of fatal, error, warn, info, debug, trace, silent/);
});

test('palaver serve with a wrong flag value says so on stderr and exits 2, before listening', async () => {
  const r = await promisify(execFile)(process.execPath, [BIN, 'serve', '--port', '0', '--data', await tempDir(), '--origin', 'chat.example'])
    .then(() => ({ code: 0, stderr: '', stdout: '' }), (e: { code: number; stderr: string; stdout: string }) => e);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^palaver serve: --origin: not an origin/);
  assert.equal(r.stdout, '');
});

test('serve --origin: a page of that origin may open a session; the same host over http, or another host, may not', async () => {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', await tempDir(), '--origin', 'https://chat.example'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise(r => child.once('exit', r));
  cleanup.push(async () => { child.kill('SIGTERM'); await exited; });
  let out = '';
  child.stdout!.on('data', d => { out += d; });
  const deadline = Date.now() + 30_000;
  while (!/"event":"start"/.test(out)) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `no start line: ${out}`);
    await new Promise(r => setTimeout(r, 20));
  }
  const start = JSON.parse(out.split('\n').find(l => l.includes('"event":"start"'))!) as { url: string; origins: string[] };
  assert.ok(start.origins.includes('https://chat.example'), 'the start line lists the origins');
  const page = new RemoteHeadless(start.url, { origin: 'https://chat.example' });
  cleanup.push(() => page.close());
  await page.connect();
  await page.signIn('olga');
  assert.ok(page.driver.has('messages'));
  for (const origin of ['http://chat.example', 'https://chat.example.evil.test', 'https://evil.test']) {
    await assert.rejects(new RemoteHeadless(start.url, { origin }).connect(), /upgrade refused: 403/, origin);
  }
});

test('on a terminal the log is human lines; with --tui it goes to DIR/palaver.log instead', { skip }, async () => {
  const data = await tempDir('palaver-pretty-');
  const tm = new Tmux(`${process.execPath} ${BIN} serve --port 0 --data ${data}`);
  cleanup.push(() => tm.kill());
  const screen = await tm.waitFor(sc => /Open http:\/\/127\.0\.0\.1:\d+\/ in a browser/.test(sc), 'the start line');
  assert.match(screen, /\d\d:\d\d:\d\d\.\d{3}\] INFO: Palaver \S+ is running\. Open http:\/\/127\.0\.0\.1:\d+\/ in a browser\./);
  assert.doesNotMatch(screen, /"level":/);
  tm.press('C-c');
  await tm.waitFor(sc => sc.includes('[exited 0]') && /INFO: Palaver stopped/.test(sc), 'the server to stop');

  const consoleData = await tempDir('palaver-console-log-');
  const tui = new Tmux(`${process.execPath} ${BIN} serve --tui --port 0 --data ${consoleData}`);
  cleanup.push(() => tui.kill());
  const first = await tui.waitFor(sc => /Serving http:\/\/127\.0\.0\.1:\d+\//.test(sc) && sc.includes('Welcome to Palaver'), 'the console login');
  assert.doesNotMatch(first, /INFO|"level":/, 'no log line over the console session');
  const url = first.match(/Serving (http:\/\/127\.0\.0\.1:\d+\/)/)![1];
  const web = new RemoteHeadless(url);
  cleanup.push(() => web.close());
  await web.connect();
  await web.signIn('wendy');
  const log = join(consoleData, 'palaver.log');
  const deadline = Date.now() + 10_000;
  const lines = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(l => JSON.parse(l) as { event?: string; url?: string; name?: string });
  while (!(await lines()).some(l => l.event === 'sign-in' && l.name === 'wendy')) {
    assert.ok(Date.now() < deadline, `no sign-in in ${log}: ${JSON.stringify(await lines())}`);
    await new Promise(r => setTimeout(r, 50));
  }
  assert.equal((await lines()).find(l => l.event === 'start')?.url, url);
  assert.doesNotMatch(tui.screen(), /INFO|"level":/, 'still no log line over the console session');
});
