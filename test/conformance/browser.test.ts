// The browser front-end (server half + DOM renderer in Chromium) against the conformance suite.
import type { Browser, Page } from 'playwright-core';
import type { WireSession } from '../../drivers/http/wire-session.ts';
import { HttpServer } from '../../drivers/http/server.ts';
import { browserMissing, launch } from '../support/browser.ts';
import { DOM_SHOWN } from '../support/dom-shown.ts';
import type { ShownWidget } from '../../drivers/headless/driver.ts';
import type { FixtureState } from '../support/fixture-app.ts';
import { conformance } from './suite.ts';

const skip = browserMissing();

conformance('browser', async (o = {}) => {
  let browser: Browser;
  let server: HttpServer<FixtureState>;
  let page: Page;
  let wire: WireSession<FixtureState>;
  const at = async (name: string) => ((await page.$(`dialog[open] [data-name="${name}"]`)) ? `dialog[open] [data-name="${name}"]` : `[data-name="${name}"]`);
  return {
    async start(app) {
      browser = await launch();
      server = await HttpServer.create({ app, secret: 'conformance-secret-conformance-secret' });
      const url = await server.listen('127.0.0.1', 0);
      page = await (await browser.newContext(o.languages ? { locale: o.languages[0] } : {})).newPage();
      page.on('pageerror', e => { throw e; });
      await page.goto(url);
      await page.waitForSelector('[data-name=entry]');
      wire = server.registry.all()[0];
      return wire.session;
    },
    settle,
    shown: () => page.evaluate(DOM_SHOWN) as Promise<ShownWidget[]>,
    text: () => page.evaluate(() => document.body.innerText),
    signInAsked: () => page.evaluate(() => document.body.dataset.signedIn === 'no'),
    async rebuilt() {
      await page.reload();
      await page.waitForSelector('[data-name=entry]');
      await settle();
      return page.evaluate(DOM_SHOWN) as Promise<ShownWidget[]>;
    },
    type: async (name, text) => page.fill(await at(name), text),
    submit: async name => page.press(await at(name), 'Enter'),
    click: async name => page.click(await at(name)),
    select: async (lb, v) => page.click(`[data-name="${lb}"] [data-value="${v}"]`),
    activate: async (lb, v) => page.dblclick(`[data-name="${lb}"] [data-value="${v}"]`),
    cancel: () => page.keyboard.press('Escape'),
    async dispose() { await browser?.close(); await server?.close(); },
  };

  async function settle() {
    for (let round = 0; round < 50; round++) {
      await wire.session.whenIdle();
      const seq = wire.outbox.lastSeq;
      await page.waitForFunction(s => Number(document.body.dataset.seq ?? 0) >= s, seq);
      await page.waitForTimeout(40);       // an event the page just sent may be on its way
      if (wire.session.idle && wire.outbox.lastSeq === seq) return;
    }
    throw new Error('the page and the session did not settle');
  }
}, { skip });
