// `npm run screenshots`: the README's pictures, taken from a real conversation. A server in a
// temporary directory; two browser users and one terminal user (tmux) talk in a few channels;
// then docs/screenshots/ gets browser.png (light, 1280×800), browser-dark.png, phone.png
// (390×844, light) and terminal.png (the terminal's screen, drawn by Chromium).
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch } from '../test/support/browser.ts';
import { runServer } from '../test/support/server.ts';
import { Tmux } from '../test/support/tmux.ts';
import { terminalPage } from './ansi-html.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/palaver.js', import.meta.url));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function browserUser(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', colorScheme: 'light' });
  const p = await context.newPage();
  await p.goto(server.url);
  await p.fill('[data-name=username]', name);
  await p.click('[data-name=enter]');
  await p.waitForSelector('[data-name=message]');
  return p;
}

const shows = (p: Page, text: string) =>
  p.waitForFunction(t => [...document.querySelectorAll('[data-name=messages] .text')].some(e => e.textContent === t), text);

async function createChannel(p: Page, name: string) {
  await p.click('[data-name=open-new-channel]');
  await p.fill('dialog[open] [data-name=name]', name);
  await p.click('dialog[open] [data-name=create]');
  await p.waitForFunction(n => document.querySelector('[data-name=topic]')?.textContent === `# ${n}`, name);
}

const server = await runServer({ admins: [] });
let browser: Browser | undefined;
let terminal: Tmux | undefined;
try {
  browser = await launch();
  // Alice sets the place up before the others arrive, so that her channel hopping is nobody's news.
  const alice = await browserUser(browser, 'alice');
  for (const name of ['design', 'release', 'random']) await createChannel(alice, name);
  await alice.click('[data-name=channels] [role=option] >> text=general');
  await alice.waitForFunction(() => document.querySelector('[data-name=topic]')?.textContent === '# general');

  const bob = await browserUser(browser, 'bob');
  terminal = new Tmux(`${process.execPath} ${BIN} tui --url ${server.url}`, 100, 30);
  const term = terminal;
  await term.waitFor(sc => sc.includes('Welcome to Palaver'), 'the terminal\'s sign-in screen', 15_000);
  term.type('carol');
  term.press('Enter');
  await term.waitFor(sc => sc.includes('Signed in as carol'), 'carol signed in');

  const people: Record<string, (text: string) => Promise<void>> = {
    alice: async t => { await alice.fill('[data-name=message]', t); await alice.press('[data-name=message]', 'Enter'); },
    bob: async t => {
      const [first, ...rest] = t.split('\n');
      await bob.fill('[data-name=message]', first);
      for (const line of rest) { await bob.press('[data-name=message]', 'Shift+Enter'); await bob.type('[data-name=message]', line); }
      await bob.press('[data-name=message]', 'Enter');
    },
    carol: async t => { term.type(t); term.press('Enter'); },
  };
  const talk: [string, string][] = [
    ['alice', 'Morning all! Is the 0.4 release still on for Thursday?'],
    ['bob', 'Yes: the last two fixes landed overnight, and the changelog is in #release.'],
    ['carol', 'Running the migration on staging now, from the terminal. Will report back here.'],
    ['alice', 'Thanks, Carol. I\'ll draft the announcement this afternoon.'],
    ['bob', 'Ping me when it\'s ready and I\'ll proofread it.\nAlso: the browser follows the system\'s dark mode now.'],
    ['carol', 'Staging migrated in 41 s, no errors. Good to go.'],
    ['alice', 'Perfect, thank you both!'],
  ];
  for (const [who, text] of talk) {
    await people[who](text);
    // Everyone has it before the next line is said, so the order is the same on every screen.
    await Promise.all([shows(alice, text), shows(bob, text)]);
    const last = text.split('\n').at(-1)!;
    await term.waitFor(sc => sc.includes(last.slice(0, 40)), `"${last}" in the terminal`);
  }

  await mkdir(OUT, { recursive: true });
  await alice.mouse.move(0, 0);
  await alice.screenshot({ path: `${OUT}browser.png` });
  await alice.emulateMedia({ colorScheme: 'dark' });
  await alice.screenshot({ path: `${OUT}browser-dark.png` });

  // Bob on his phone: a second tab of his, so nobody sees him join again.
  const phone: BrowserContext = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-US', colorScheme: 'light', storageState: await bob.context().storageState() });
  const bobsPhone = await phone.newPage();
  await bobsPhone.goto(server.url);
  await shows(bobsPhone, talk.at(-1)![1]);
  await bobsPhone.screenshot({ path: `${OUT}phone.png` });

  const shot = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await shot.setContent(terminalPage(term.screenWithColours()));
  await shot.locator('pre').screenshot({ path: `${OUT}terminal.png` });
  console.log(`wrote browser.png, browser-dark.png, phone.png and terminal.png in ${OUT}`);
} finally {
  terminal?.kill();
  await browser?.close();
  await server.stop();
  await rm(server.options.dataDir, { recursive: true, force: true });
}
