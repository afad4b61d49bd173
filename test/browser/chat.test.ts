// The chat in Debian's Chromium, against a real server on a loopback port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launch } from '../support/browser.ts';
import { startProxy } from '../support/proxy.ts';
import { runServer } from '../support/server.ts';

const skip = browserMissing();
let browser: Browser;
let s: Awaited<ReturnType<typeof runServer>>;
// Pages served through this proxy are from another origin: the server is told it is one of its own.
let proxy: Awaited<ReturnType<typeof startProxy>>;

before(async () => {
  if (skip) return;
  browser = await launch();
  proxy = await startProxy(() => Number(new URL(s.url).port));
  s = await runServer({ admins: ['root'], origins: [new URL(proxy.url).origin], chat: { messageLimit: { count: 100, windowMs: 1000 } } });
});
after(async () => { await browser?.close(); await s?.stop(); await proxy?.close(); });

async function page(url = s.url): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: 'en-US' });
  const p = await context.newPage();
  p.on('dialog', d => { throw new Error(`a browser dialog opened: ${d.message()}`); });
  p.on('pageerror', e => { throw e; });
  await p.goto(url);
  return p;
}

async function signIn(p: Page, name: string, password?: string) {
  await p.fill('[data-name=username]', name);
  if (password) await p.fill('[data-name=password]', password);
  await p.click('[data-name=enter]');
  await p.waitForSelector('[data-name=message]');
}

async function say(p: Page, text: string) {
  await p.fill('[data-name=message]', text);
  await p.press('[data-name=message]', 'Enter');
}

const messages = (p: Page) => p.$$eval('[data-name=messages] [role=option]:not(.announcement) .text', els => els.map(e => e.textContent));

async function waitForMessage(p: Page, text: string) {
  await p.waitForFunction(t => [...document.querySelectorAll('[data-name=messages] .text')].some(e => e.textContent === t), text);
}

test('two browsers sign in and chat both ways; focus lands in the message box; Shift+Enter makes a new line', { skip }, async () => {
  const alice = await page();
  await signIn(alice, 'alice');
  assert.equal(await alice.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.name), 'message');
  const bob = await page();
  await signIn(bob, 'bob');
  await say(alice, 'Hi Bob!');
  await waitForMessage(bob, 'Hi Bob!');
  await bob.fill('[data-name=message]', 'Hi Alice,');
  await bob.press('[data-name=message]', 'Shift+Enter');
  await bob.type('[data-name=message]', 'two lines.');
  await bob.press('[data-name=message]', 'Enter');
  await waitForMessage(alice, 'Hi Alice,\ntwo lines.');
  assert.deepEqual(await messages(alice), ['Hi Bob!', 'Hi Alice,\ntwo lines.']);
  assert.equal(await bob.inputValue('[data-name=message]'), '');
  assert.deepEqual(await alice.$$eval('[data-name=users] [role=option]', els => els.map(e => e.textContent)), ['alice', 'bob']);
  await alice.screenshot({ path: new URL('../../test-results/browser.png', import.meta.url).pathname });
  await alice.context().close(); await bob.context().close();
});

test('a taken name is refused on screen', { skip }, async () => {
  const carol = await page();
  await signIn(carol, 'carol');
  const thief = await page();
  await thief.fill('[data-name=username]', 'CAROL');
  await thief.click('[data-name=enter]');
  await thief.waitForSelector('[data-name=error]:not(:empty)');
  assert.equal(await thief.textContent('[data-name=error]'), 'That name is taken. Please pick another one.');
  await carol.context().close(); await thief.context().close();
});

test('markup in a message is shown as text', { skip }, async () => {
  const dave = await page();
  await signIn(dave, 'dave');
  const evil = '<img src=x onerror=alert(1)><b>bold</b>';
  await say(dave, evil);
  await waitForMessage(dave, evil);
  assert.equal(await dave.$$eval('[data-name=messages] img, [data-name=messages] b', els => els.length), 0);
  await dave.context().close();
});

test('delete one\'s own message through the confirmation popup; Esc cancels it', { skip }, async () => {
  const erin = await page();
  await signIn(erin, 'erin');
  const frank = await page();
  await signIn(frank, 'frank');
  await say(erin, 'delete me');
  await waitForMessage(frank, 'delete me');
  assert.equal(await frank.$$eval('[data-name=messages] .own .delete', els => els.length), 0, 'no delete affordance on others\' messages');
  const item = erin.locator('[data-name=messages] [role=option]', { hasText: 'delete me' });
  await item.locator('.delete').click();
  await erin.waitForSelector('dialog[open] [data-name=question]');
  assert.equal(await erin.textContent('dialog[open] h2'), 'Delete message');
  await erin.keyboard.press('Escape');
  await erin.waitForSelector('dialog', { state: 'detached' });
  assert.ok((await messages(frank)).includes('delete me'));
  await item.locator('.delete').click();
  await erin.click('dialog[open] [data-name=yes]');
  for (const p of [frank, erin]) await p.waitForFunction(() => ![...document.querySelectorAll('[data-name=messages] .text')].some(e => e.textContent === 'delete me'));
  await erin.context().close(); await frank.context().close();
});

test('an administrator\'s alert pops up in every browser', { skip }, async () => {
  const root = await page();
  await signIn(root, 'root', 'rootpassword');
  const gina = await page();
  await signIn(gina, 'gina');
  await root.click('[data-name=open-send-alert]');
  await root.fill('dialog[open] [data-name=text]', 'Maintenance at noon');
  await root.click('dialog[open] [data-name=send]');
  for (const p of [gina, root]) {
    await p.waitForSelector('dialog[open] [data-name=ok]');
    assert.equal(await p.textContent('dialog[open] [data-name=text]'), 'Maintenance at noon');
  }
  await gina.click('dialog[open] [data-name=ok]');
  await gina.waitForSelector('dialog', { state: 'detached' });
  await root.context().close(); await gina.context().close();
});

test('a reload in the middle of typing, with a popup open, restores both', { skip }, async () => {
  const hank = await page();
  await signIn(hank, 'hank');
  await hank.fill('[data-name=message]', 'half-typed thought');
  await hank.click('[data-name=open-new-channel]');
  await hank.fill('dialog[open] [data-name=name]', 'drafts');
  await hank.waitForTimeout(400);          // past the typing debounce
  await hank.reload();
  await hank.waitForSelector('dialog[open] [data-name=name]');
  assert.equal(await hank.inputValue('dialog[open] [data-name=name]'), 'drafts');
  assert.equal(await hank.inputValue('[data-name=message]'), 'half-typed thought');
  await hank.click('dialog[open] [data-name=create]');
  await hank.waitForFunction(() => document.querySelector('[data-name=topic]')?.textContent === '# drafts');
  await hank.context().close();
});

test('a second tab of a user works while the user is listed once', { skip }, async () => {
  const ivy = await page();
  await signIn(ivy, 'ivy');
  const tab2 = await ivy.context().newPage();
  await tab2.goto(s.url);
  await tab2.waitForSelector('[data-name=message]');
  await say(tab2, 'from the second tab');
  await waitForMessage(ivy, 'from the second tab');
  // Earlier tests' sessions linger (detached sessions live 10 minutes): count ivy alone.
  const listed = await ivy.$$eval('[data-name=users] [role=option]', els => els.map(e => e.textContent));
  assert.equal(listed.filter(n => n === 'ivy').length, 1);
  assert.equal(await ivy.$$eval('[data-name=messages] .announcement .text', els => els.filter(e => e.textContent === '* ivy has joined').length), 1);
  await ivy.context().close();
});

test('a dropped connection while 20 messages are sent: all 20 shown once, in order', { skip }, async () => {
  try {
    const jack = await page(proxy.url);
    await signIn(jack, 'jack');
    const kate = await page();
    await signIn(kate, 'kate');
    await jack.waitForFunction(() => [...document.querySelectorAll('[data-name=users] [role=option]')].some(e => e.textContent === 'kate'));
    proxy.cut();
    await jack.waitForFunction(() => document.body.dataset.connection === 'reconnecting');
    assert.equal(await jack.isVisible('#connection'), true);
    const sent = Array.from({ length: 20 }, (_, i) => `while you were away ${i + 1}`);
    for (const t of sent) await say(kate, t);
    await waitForMessage(kate, sent[19]);
    proxy.restore();
    await waitForMessage(jack, sent[19]);
    await jack.waitForFunction(() => document.body.dataset.connection === 'online');
    assert.deepEqual((await messages(jack)).filter(t => t!.startsWith('while you were away')), sent);
    await jack.context().close(); await kate.context().close();
  } finally {
    proxy.restore();
  }
});

test('the server restarted under an open page: it reconnects by itself, still signed in', { skip }, async () => {
  const leo = await page();
  await signIn(leo, 'leo');
  await say(leo, 'before the restart');
  await waitForMessage(leo, 'before the restart');
  await s.restart();
  await leo.waitForFunction(() => document.body.dataset.connection === 'online' && document.querySelector('[data-name=me]')?.textContent === 'Signed in as leo', undefined, { timeout: 20_000 });
  await waitForMessage(leo, 'before the restart');
  await say(leo, 'after the restart');
  await waitForMessage(leo, 'after the restart');
  await leo.context().close();
});

test('without WebSocket, the page chats over long-poll', { skip }, async () => {
  const mia = await page(`${s.url}?transport=poll`);
  await signIn(mia, 'mia');
  const ned = await page();
  await signIn(ned, 'ned');
  await say(mia, 'sent over long-poll');
  await waitForMessage(ned, 'sent over long-poll');
  await say(ned, 'and back by long-poll');
  await waitForMessage(mia, 'and back by long-poll');
  assert.equal(await mia.evaluate(() => document.body.dataset.connection), 'online');
  const used = await mia.evaluate(() => performance.getEntriesByType('resource').map(e => new URL(e.name).pathname));
  assert.ok(used.includes('/poll'), 'the page polled');
  await mia.context().close(); await ned.context().close();
});

test('the browser\'s languages choose the screens\' language', { skip }, async () => {
  const context = await browser.newContext({ locale: 'ru-RU' });
  const ru = await context.newPage();
  await ru.goto(s.url);
  await ru.waitForSelector('[data-name=enter]');
  assert.equal(await ru.textContent('[data-name=enter]'), 'Войти');
  await ru.fill('[data-name=username]', 'олег');
  await ru.click('[data-name=enter]');
  await ru.waitForSelector('[data-name=message]');
  assert.equal(await ru.textContent('[data-name=send]'), 'Отправить');
  assert.equal(await ru.textContent('[data-name=me]'), 'Вы вошли как олег');
  await context.close();
});
