// Contrast in both themes (issue 12, item 10), measured in Chromium on the real app: every text
// with its effective background, every hint, control edge, focus ring and popup edge at WCAG AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launch } from '../support/browser.ts';
import { luminance, over, parseColour, ratio, type Check } from '../support/contrast-audit.ts';
import { runServer } from '../support/server.ts';

type Scheme = 'light' | 'dark';
const skip = browserMissing();
let browser: Browser;
let s: Awaited<ReturnType<typeof runServer>>;
let alice: Page, bob: Page, carol: Page;

/** The audit, bundled for the page (no test helpers of the bundler leak into it). */
async function auditScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../support/contrast-audit.ts', import.meta.url))],
    bundle: true, write: false, format: 'iife', globalName: 'palaverContrast', target: 'es2022',
    footer: { js: 'globalThis.palaverContrast = palaverContrast;' },   // an init script's `var` stays in its own scope
  });
  return result.outputFiles[0].text;
}

async function page(script: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: 'en-US' });
  await context.addInitScript({ content: script });
  const p = await context.newPage();
  p.on('pageerror', e => { throw e; });
  await p.goto(s.url);
  return p;
}

async function signIn(p: Page, name: string) {
  await p.fill('[data-name=username]', name);
  await p.click('[data-name=enter]');
  await p.waitForSelector('[data-name=message]');
}

async function say(p: Page, text: string) {
  await p.fill('[data-name=message]', text);
  await p.press('[data-name=message]', 'Enter');
  await p.waitForFunction(t => [...document.querySelectorAll('[data-name=messages] .text')].some(e => e.textContent === t), text);
}

type Audit = 'texts' | 'placeholders' | 'controls' | 'popups';
/** Runs one of the audit's measures in the page, on the element `within` selects (default: the body). */
function audit(p: Page, what: Audit, within?: string): Promise<Check[]> {
  return p.evaluate(([fn, sel]) => {
    const a = (globalThis as unknown as { palaverContrast: Record<string, (root?: Element) => Check[]> }).palaverContrast;
    return a[fn](sel ? document.querySelector(sel)! : undefined);
  }, [what, within] as const);
}

const everything = async (p: Page, within?: string) =>
  (await Promise.all((['texts', 'placeholders', 'controls'] as const).map(w => audit(p, w, within)))).flat();

/** Tab through the page (or the open popup) and measure every focus ring once. */
async function focusRings(p: Page): Promise<Check[]> {
  const rings: Check[] = [];
  await p.evaluate(() => {
    (globalThis as unknown as { palaverContrast: { forgetFocus(): void } }).palaverContrast.forgetFocus();
    (document.activeElement as HTMLElement | null)?.blur();
  });
  for (let i = 0; i < 100; i++) {
    await p.keyboard.press('Tab');
    const r = await p.evaluate(() => (globalThis as unknown as { palaverContrast: { focusRing(): Check | 'nothing' | 'again' } }).palaverContrast.focusRing());
    if (r === 'again') return rings;
    if (r !== 'nothing') rings.push(r);
  }
  throw new Error(`Tab did not come round in 100 presses: ${rings.map(r => r.path).join(', ')}`);
}

/** Hover over an element and measure it as it is then. */
async function hovered(p: Page, selector: string): Promise<Check[]> {
  await p.hover(selector);
  const checks = await everything(p, selector);
  await p.mouse.move(0, 0);
  return checks.map(c => ({ ...c, path: `${c.path}:hover` }));
}

before(async () => {
  if (skip) return;
  browser = await launch();
  s = await runServer({ chat: { messageLimit: { count: 100, windowMs: 1000 } } });
  const script = await auditScript();
  alice = await page(script);
  await signIn(alice, 'alice');
  bob = await page(script);
  await signIn(bob, 'bob');
  await say(alice, 'Hi Bob, the plan is ready.');
  await say(bob, 'Great, sending my notes now.');
  await say(alice, 'Thanks! I will read them after lunch.');
  await alice.waitForFunction(() => document.querySelectorAll('[data-name=messages] [role=option]').length >= 4);
  // A refusal on the sign-in screen: someone else already holds the name.
  carol = await page(script);
  await carol.fill('[data-name=username]', 'ALICE');
  await carol.click('[data-name=enter]');
  await carol.waitForSelector('[data-name=error]:not(:empty)');
});
after(async () => { await browser?.close(); await s?.stop(); });

/** Everything measured on every screen in one theme. */
async function measure(scheme: Scheme): Promise<Check[]> {
  for (const p of [alice, bob, carol]) await p.emulateMedia({ colorScheme: scheme });
  const checks: Check[] = [];

  // The main screen, with what it shows only at times: the connection line, a refusal's toast
  // (shown as main.ts shows them) and the count of a message box past its limit.
  await alice.evaluate(() => {
    const shown: [string, string][] = [['connection', 'Reconnecting…'], ['toast', 'Too many messages at once. Wait a moment.']];
    for (const [id, text] of shown) { const el = document.getElementById(id)!; el.textContent = text; el.hidden = false; }
  });
  await alice.fill('[data-name=message]', 'x'.repeat(4001));
  checks.push(...await everything(alice));
  await alice.evaluate(() => { for (const id of ['connection', 'toast']) document.getElementById(id)!.hidden = true; });
  await alice.fill('[data-name=message]', '');

  for (const sel of ['[data-name=sign-out]', '[data-name=send]', '[data-name=messages] .own .delete', '[data-name=channels] [role=option]'])
    checks.push(...await hovered(alice, sel));
  checks.push(...await focusRings(alice));

  // A popup with a refusal in it.
  await alice.click('[data-name=open-new-channel]');
  await alice.fill('dialog[open] [data-name=name]', '!!');
  await alice.press('dialog[open] [data-name=name]', 'Enter');
  await alice.waitForSelector('dialog[open] [data-name=error]:not(:empty)');
  checks.push(...await everything(alice, 'dialog[open]'), ...await audit(alice, 'popups'), ...await focusRings(alice));
  await alice.keyboard.press('Escape');
  await alice.waitForSelector('dialog', { state: 'detached' });

  checks.push(...await everything(bob), ...await everything(carol), ...await focusRings(carol));
  return checks;
}

const report = (scheme: Scheme, cs: Check[]) => cs.filter(c => !(c.ratio >= c.need))
  .map(c => `${scheme}: ${c.what} ${c.path} "${c.text}": ${c.fg} on ${c.bg} is ${c.ratio}:1, needs ${c.need}:1`);

for (const scheme of ['light', 'dark'] as const) {
  test(`${scheme} theme: every text, hint, control edge, focus ring and popup edge meets WCAG AA`, { skip }, async () => {
    const checks = await measure(scheme);
    const texts = checks.filter(c => c.what === 'text').map(c => c.text);
    // What was measured: a test that measures nothing passes on anything.
    for (const t of ['Signed in as alice', 'Hi Bob, the plan is ready.', 'bob', '* bob has joined', 'Reconnecting…', 'Too many messages at once. Wait a moment.', '4,001 / 4,000', 'Welcome to Palaver', 'That name is taken. Please pick another one.', 'New channel', 'Send', '# general'])
      assert.ok(texts.includes(t), `"${t}" was measured`);
    assert.ok(texts.some(t => /^\d\d:\d\d$/.test(t)), 'a timestamp was measured');
    assert.ok(checks.some(c => c.what === 'text' && c.path.startsWith('dialog') && c.text !== 'New channel'), 'the popup\'s text was measured');
    assert.deepEqual(checks.filter(c => c.what === 'placeholder').map(c => c.text).sort(), ['Message', 'Message', 'Pick a name']);
    assert.ok(checks.filter(c => c.what === 'focus').length >= 10, 'focus rings were measured');
    assert.ok(checks.some(c => c.what === 'popup'), 'the popup\'s edge was measured');
    assert.deepEqual(report(scheme, checks), []);
  });
}

test('dark mode follows the system: the page turns dark with light ink, and form controls follow', { skip }, async () => {
  const look = async (scheme: Scheme) => {
    await alice.emulateMedia({ colorScheme: scheme });
    return alice.evaluate(() => ({
      page: (globalThis as unknown as { palaverContrast: { pageBackground(): string } }).palaverContrast.pageBackground(),
      ink: getComputedStyle(document.body).color,
      scheme: getComputedStyle(document.documentElement).colorScheme,
    }));
  };
  const light = await look('light');
  const dark = await look('dark');
  assert.ok(luminance(parseColour(light.page)) > 0.8, `a light page in the light theme (${light.page})`);
  assert.ok(luminance(parseColour(dark.page)) < 0.05, `a dark page in the dark theme (${dark.page})`);
  assert.ok(ratio(parseColour(dark.ink), parseColour(dark.page)) >= 7, `light ink on the dark page (${dark.ink})`);
  assert.match(light.scheme, /light/);
  assert.match(light.scheme, /dark/, 'form controls and scroll bars follow the theme');
});

test('the arithmetic: WCAG\'s ratios of known pairs', () => {
  const c = parseColour;
  assert.equal(ratio(c('rgb(0, 0, 0)'), c('rgb(255, 255, 255)')), 21);
  assert.equal(Math.round(ratio(c('rgb(118, 118, 118)'), c('rgb(255, 255, 255)')) * 100) / 100, 4.54);
  assert.equal(Math.round(ratio(c('rgb(119, 119, 119)'), c('rgb(255, 255, 255)')) * 100) / 100, 4.48);
  // Half-transparent black over white is mid grey, whichever way it is written.
  assert.deepEqual(over(c('rgba(0, 0, 0, 0.5)'), c('rgb(255, 255, 255)')), { r: 127.5, g: 127.5, b: 127.5, a: 1 });
  assert.deepEqual(c('rgb(0 0 0 / 50%)'), { r: 0, g: 0, b: 0, a: 0.5 });
});
