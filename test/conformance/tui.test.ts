// The terminal front-end on a virtual terminal against the conformance suite. What it reports
// as shown is checked against the text on the terminal's screen; it acts only through keys.
import assert from 'node:assert/strict';
import { apply } from '../../core/commands.ts';
import { Session } from '../../core/session.ts';
import { BlessedDriver, type ShownNode } from '../../drivers/tui/driver.ts';
import { clean } from '../../drivers/tui/text.ts';
import type { FixtureState } from '../support/fixture-app.ts';
import { KEY, VirtualTerminal } from '../support/vt.ts';
import { conformance } from './suite.ts';

/** The driver's model, after checking that each visible text really is on the screen. */
function onScreen(model: ShownNode[], screen: string): ShownNode[] {
  const flat = screen.replace(/\s+/g, ' ');
  const check = (n: ShownNode) => {
    if (n.attrs.visible === false) return;
    const text = clean(n.attrs.text ?? '');
    if (text && n.kind !== 'textbox') assert.ok(flat.includes(text.replace(/\s+/g, ' ')), `${n.kind} ${String(n.attrs.name ?? '')} "${text}" is not on screen:\n${screen}`);
    if (n.kind === 'button') assert.ok(screen.includes(`[ ${text} ]`), `button ${text} is not drawn as a button`);
    if (n.kind === 'textbox' && text && n.attrs.secret !== true) assert.ok(flat.includes(text), `text box content "${text}" is not on screen`);
    if (n.kind === 'popup' && n.attrs.title) assert.ok(screen.includes(` ${clean(n.attrs.title)} `), 'the popup title is not on screen');
    n.children.forEach(check);
  };
  model.forEach(check);
  return model;
}

conformance('terminal', async (o = {}) => {
  const vt = new VirtualTerminal(100, 30);
  const driver = new BlessedDriver({ screen: vt.screen, languages: o.languages ?? ['en'] });
  let session: Session<FixtureState>;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise(r => setTimeout(r, 20));     // keys in the input stream reach blessed
      await session.whenIdle();
    }
    driver.flush();
    await vt.drawn();
  };
  const focus = (name: string) => assert.ok(driver.focusByName(name), `cannot focus ${name}`);
  return {
    async start(app) {
      session = new Session(app, driver);
      await session.start({ name: 'tester', token: 'test-token' });
      return session;
    },
    settle,
    shown: async () => onScreen(driver.model(), vt.text()),
    text: async () => vt.text(),
    signInAsked: async () => vt.text().includes('(not signed in)'),
    async rebuilt() {
      const fresh = new VirtualTerminal(vt.cols, vt.rows);
      const rebuilt = new BlessedDriver({ screen: fresh.screen, languages: ['en'] });
      try {
        await rebuilt.start({ event() {}, input() {}, authenticate() {} });
        for (const c of session.snapshot()) apply(rebuilt, c);
        rebuilt.flush();
        await fresh.drawn();
        driver.flush();
        await vt.drawn();
        assert.equal(fresh.text(), vt.text(), 'the rebuilt screen reads the same as the live one');
        return onScreen(rebuilt.model(), fresh.text());
      } finally { fresh.destroy(); }
    },
    async type(name, text) { focus(name); vt.send('\x05' + KEY.ctrlU + text); await settle(); },
    async submit(name) { focus(name); vt.send(KEY.enter); },
    async click(name) { focus(name); vt.send(KEY.enter); },
    async select(listbox, value) { assert.ok(driver.selectByValue(listbox, value)); vt.send(' '); },
    async activate(listbox, value) { assert.ok(driver.selectByValue(listbox, value)); vt.send(KEY.enter); },
    async cancel() { vt.send(KEY.esc); await new Promise(r => setTimeout(r, 80)); },
    async dispose() { await driver.stop(); vt.destroy(); },
  };
});
