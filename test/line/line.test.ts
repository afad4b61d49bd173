// The line-mode front-end as a script or a person on a serial console uses it: `palaver line`
// and `palaver serve --line` as child processes, commands piped in, lines read out, chatting
// with users of the other front-ends.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { browserMissing, launch } from '../support/browser.ts';
import { tempDir } from '../support/chat.ts';
import { LineClient } from '../support/line.ts';
import { runServer } from '../support/server.ts';
import { Tmux, tmuxMissing } from '../support/tmux.ts';

const BIN = fileURLToPath(new URL('../../bin/palaver.js', import.meta.url));
const cleanup: (() => unknown)[] = [];
after(async () => { for (const c of cleanup.reverse()) await c(); });

const said = (who: string, text: string) => (out: string) => out.split('\n').some(l => new RegExp(`^\\[\\d\\d:\\d\\d\\] ${who}: `).test(l) && l.endsWith(`: ${text}`));

test('palaver line through a pipe: sign in, chat both ways, hostile text stays inert, a popup as numbered choices, refusals, EOF', async () => {
  const s = await runServer();
  cleanup.push(() => s.stop());
  const bob = new RemoteHeadless(s.url);
  cleanup.push(() => bob.close());
  await bob.connect();
  await bob.signIn('bob');

  const line = LineClient.remote(s.url);
  cleanup.push(() => line.child.kill());
  await line.waitFor(o => o.includes('Not signed in. Sign in with: login NAME [PASSWORD]'), 'the sign-in prompt');
  line.send('login bob');
  await line.waitForLine('! That name is taken. Please pick another one.');
  line.send('login lina my pass phrase');       // a password may hold spaces
  await line.waitForLine('(Signed in as lina)');
  await line.waitForLine('-- # general --');

  line.send('hello from lines');
  line.send('send help is a word, sent with send');
  await bob.until(() => bob.driver.items('messages').some(a => a.text === 'hello from lines' && a.author === 'lina'), "lina's message at bob's");
  await bob.until(() => bob.driver.items('messages').some(a => a.text === 'help is a word, sent with send'), 'a message starting with a command word');

  bob.driver.type('message', 'hello lina'); bob.driver.click('send');
  await line.waitFor(said('bob', 'hello lina'), "bob's message as a line");
  bob.driver.type('message', '\x1b]2;pwned\x07\x1b[2Jcleared?'); bob.driver.click('send');
  await line.waitFor(said('bob', ']2;pwned[2Jcleared?'), 'the hostile message, inert');
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(line.out), 'no control character reached the output');

  let from = line.mark;
  line.send('listuser');
  await line.waitFor(o => o.includes('- bob\n- lina\n'), 'who is here', from);

  from = line.mark;
  line.send('x'.repeat(20_000));
  await line.waitForLine('! That line is too long (20000 characters; at most 16384).', from);

  // A popup: the new-channel dialog, its field and buttons numbered.
  from = line.mark;
  line.send('screen');
  const screen = await line.waitFor(o => /\((\d+)\) New channel/.test(o), 'the numbered screen', from);
  const button = /\((\d+)\) New channel/.exec(screen)![1];
  from = line.mark;
  line.send(button);
  const popup = await line.waitFor(o => o.includes('== New channel == (answer with a number; cancel closes it)') && /\((\d+)\) Create/.test(o), 'the popup', from);
  const field = /\[(\d+)\] [^:\n]*: /.exec(popup)![1];
  const create = /\((\d+)\) Create/.exec(popup)![1];
  line.send('typing while a popup is open is refused');
  await line.waitForLine('! A popup is open: answer it with a number, or cancel.', from);
  line.send(`${field} lines-room`);
  line.send(create);
  await line.waitForLine('-- # lines-room --', from);
  from = line.mark;
  line.send('channels');
  await line.waitFor(o => o.includes('* lines-room'), 'the new channel, open', from);
  line.send('join general');
  await line.waitForLine('-- # general --', from);

  assert.equal(await line.close(), 0, 'EOF: the client finishes and exits 0');
  assert.ok(!bob.driver.items('messages').some(a => String(a.text).startsWith('xxxx')), 'the refused line was not sent');

  const again = LineClient.remote(s.url);
  cleanup.push(() => again.child.kill());
  await again.waitFor(o => o.includes('Not signed in'), 'the sign-in prompt');
  again.send('login lina my pass');
  await again.waitForLine('! Wrong password.');
  again.send('login lina my pass phrase');
  await again.waitForLine('(Signed in as lina)');
  assert.equal(await again.close(), 0);
});

test('a line client, a browser user and a terminal user chat in one channel', { skip: browserMissing() ?? tmuxMissing() }, async () => {
  const s = await runServer();
  cleanup.push(() => s.stop());

  const line = LineClient.remote(s.url);
  cleanup.push(() => line.child.kill());
  await line.waitFor(o => o.includes('Not signed in'), 'the sign-in prompt');
  line.send('login lina');
  await line.waitForLine('(Signed in as lina)');

  const tm = new Tmux(`${process.execPath} ${BIN} tui --url ${s.url}`);
  cleanup.push(() => tm.kill());
  await tm.waitFor(sc => sc.includes('Welcome to Palaver') && sc.includes('Connected'), 'the login screen');
  tm.type('tess');
  tm.press('Enter');
  await tm.waitFor(sc => sc.includes('Signed in as tess'), 'the terminal user signed in');

  const browser = await launch();
  cleanup.push(() => browser.close());
  const page = await (await browser.newContext()).newPage();
  await page.goto(s.url);
  await page.fill('[data-name=username]', 'bea');
  await page.click('[data-name=enter]');
  await page.waitForSelector('[data-name=message]');

  line.send('from the line');
  tm.type('from the terminal');
  tm.press('Enter');
  await page.fill('[data-name=message]', 'from the browser');
  await page.press('[data-name=message]', 'Enter');

  await line.waitFor(o => said('tess', 'from the terminal')(o) && said('bea', 'from the browser')(o), 'the others at the line client');
  await tm.waitFor(sc => sc.includes('lina: from the line') && sc.includes('bea: from the browser'), 'the others in the terminal');
  await page.waitForFunction(() => {
    const texts = [...document.querySelectorAll('[data-role=transcript] .text')].map(e => e.textContent);
    return texts.includes('from the line') && texts.includes('from the terminal');
  });
});

test('palaver serve --line: the person at the console chats in lines with a remote user, and quit stops the server', async () => {
  const data = await tempDir('palaver-line-');
  const console = new LineClient(['serve', '--line', '--port', '0', '--data', data]);
  cleanup.push(() => console.child.kill());
  const out = await console.waitFor(o => /Serving http:\/\/127\.0\.0\.1:\d+\//.test(o) && o.includes('Not signed in'), 'the server and the sign-in prompt');
  const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)![0];
  console.send('login op');
  await console.waitForLine('(Signed in as op)');
  const bob = new RemoteHeadless(url);
  cleanup.push(() => bob.close());
  await bob.connect();
  await bob.signIn('bob');
  bob.driver.type('message', 'hi console'); bob.driver.click('send');
  await console.waitFor(said('bob', 'hi console'), "bob's message on the console");
  console.send('hi bob');
  await bob.until(() => bob.driver.items('messages').some(a => a.text === 'hi bob' && a.author === 'op'), "the console's message at bob's");
  console.send('quit');
  assert.equal(await Promise.race([console.exited, new Promise(r => setTimeout(() => r('still running after 15 s'), 15_000))]), 0);
});

test('palaver line refuses an address that is not http(s), and says so', async () => {
  const c = new LineClient(['line', '--url', 'ftp://chat.example']);
  assert.equal(await c.exited, 2);
  assert.match(c.out, /palaver line: --url must be an http:\/\/ or https:\/\/ address, not ftp:\/\/chat\.example/);
});
