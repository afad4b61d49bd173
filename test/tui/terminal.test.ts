// `palaver tui` in a real pseudo-terminal (tmux) against a live server, while another user
// chats over a plain WebSocket client.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { RemoteHeadless } from '../../drivers/headless/remote.ts';
import { width } from '../../drivers/tui/text.ts';
import { runServer } from '../support/server.ts';
import { Tmux, tmuxMissing } from '../support/tmux.ts';

const BIN = fileURLToPath(new URL('../../bin/palaver.js', import.meta.url));
const skip = tmuxMissing();
const cleanup: (() => unknown)[] = [];
after(async () => { for (const c of cleanup.reverse()) await c(); });

/** Display columns before the last box border on the line holding `text`. */
function borderColumn(screen: string, text: string): number {
  const line = screen.split('\n').find(l => l.includes(text));
  assert.ok(line, `no line with ${text}`);
  return width(line.slice(0, line.lastIndexOf('│')));
}

test('a terminal user and a WebSocket user chat, delete, survive hostile text and a server restart', { skip }, async () => {
  const s = await runServer({ chat: { messageLimit: { count: 100, windowMs: 1000 } } });
  cleanup.push(() => s.stop());
  const tm = new Tmux(`${process.execPath} ${BIN} tui --url ${s.url}`);
  cleanup.push(() => tm.kill());
  const titleBefore = tm.title();

  await tm.waitFor(sc => sc.includes('Welcome to Palaver') && sc.includes('Connected'), 'the login screen');
  tm.type('alice');
  tm.press('Enter');
  await tm.waitFor(sc => sc.includes('Signed in as alice') && sc.includes('# general'), 'the main screen');

  const bob = new RemoteHeadless(s.url);
  cleanup.push(() => bob.close());
  await bob.connect();
  await bob.signIn('bob');
  bob.driver.type('message', 'hello from bob'); bob.driver.click('send');
  await tm.waitFor(sc => sc.includes('bob: hello from bob'), "bob's message in the terminal");

  tm.type('hi bob, from the terminal');          // focus is in the message box
  tm.press('Enter');
  await bob.until(() => bob.driver.items('messages').some(a => a.text === 'hi bob, from the terminal' && a.author === 'alice'), "alice's message at bob's");

  // Delete her own message: Shift+Tab to the list, Up to the newest, Enter, confirm.
  tm.press('BTab', 'Up', 'Enter');
  await tm.waitFor(sc => sc.includes('Delete this message?'), 'the confirmation popup');
  tm.press('Enter');                              // the popup's first button: Delete
  await bob.until(() => !bob.driver.items('messages').some(a => a.text === 'hi bob, from the terminal'), 'the deletion at bob\'s');
  await tm.waitFor(sc => !sc.includes('hi bob, from the terminal') && !sc.includes('Delete this message?'), 'the deletion in the terminal');

  bob.driver.type('message', '\x1b]2;pwned\x07\x1b[2J{bold}x{/bold}'); bob.driver.click('send');
  const hostile = await tm.waitFor(sc => sc.includes('{bold}x{/bold}'), 'the hostile message as text');
  assert.ok(hostile.includes('Signed in as alice'), 'the screen was not cleared');
  assert.equal(tm.title(), titleBefore, 'the terminal title is untouched');

  bob.driver.type('message', '中文对齐 check'); bob.driver.click('send');
  const wide = await tm.waitFor(sc => sc.includes('中文对齐 check'), 'the Chinese message');
  assert.equal(borderColumn(wide, '中文对齐 check'), borderColumn(wide, 'bob: hello from bob'), 'the border after Chinese text lines up');

  await s.restart();
  await tm.waitFor(sc => /Reconnecting|Connecting/.test(sc), 'the terminal noticing the restart');
  const back = await tm.waitFor(sc => sc.includes('Connected') && sc.includes('Signed in as alice') && sc.includes('# general') && sc.includes('bob: hello from bob'), 'the terminal back, still signed in', 20_000);
  assert.ok(!back.includes('Welcome to Palaver'));

  // Ctrl+C signs out and exits, leaving the terminal as it was.
  await bob.close();
  const bob2 = new RemoteHeadless(s.url, { cookie: bob.cookie! });
  cleanup.push(() => bob2.close());
  await bob2.connect();
  await bob2.until(() => bob2.driver.has('messages'));
  tm.press('C-c');
  await bob2.until(() => bob2.driver.items('messages').some(a => a.text === '* alice has left'), 'alice leaving');
  const end = await tm.waitFor(sc => sc.includes('[exited 0]'), 'the program to exit');
  assert.ok(!end.includes('┌'), 'the screen was restored');
});

test('serve --tui: the person at the console chats with browser users in-process', { skip }, async () => {
  const data = (await import('../support/chat.ts')).tempDir('palaver-console-');
  const tm = new Tmux(`${process.execPath} ${BIN} serve --tui --port 0 --data ${await data}`);
  cleanup.push(() => tm.kill());
  const first = await tm.waitFor(sc => /Serving http:\/\/127\.0\.0\.1:\d+\//.test(sc) && sc.includes('Welcome to Palaver'), 'the console login');
  const url = first.match(/Serving (http:\/\/127\.0\.0\.1:\d+\/)/)![1];
  tm.type('console');
  tm.press('Enter');
  await tm.waitFor(sc => sc.includes('Signed in as console'), 'the console main screen');
  const web = new RemoteHeadless(url);
  cleanup.push(() => web.close());
  await web.connect();
  await web.signIn('web');
  tm.type('hello web');
  tm.press('Enter');
  await web.until(() => web.driver.items('messages').some(a => a.text === 'hello web' && a.author === 'console'), 'the console message on the web');
  web.driver.type('message', 'hello console'); web.driver.click('send');
  await tm.waitFor(sc => sc.includes('web: hello console'), 'the web message on the console');
  tm.press('C-c');
  await web.until(() => web.driver.items('messages').some(a => a.text === '* console has left'), 'the console leaving');
  await tm.waitFor(sc => sc.includes('[exited 0]'), 'the server to stop');
});
