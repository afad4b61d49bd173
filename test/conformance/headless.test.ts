import { apply } from '../../core/commands.ts';
import { Session } from '../../core/session.ts';
import { HeadlessDriver } from '../../drivers/headless/driver.ts';
import type { FixtureState } from '../support/fixture-app.ts';
import { conformance } from './suite.ts';

conformance('headless', async () => {
  const driver = new HeadlessDriver();
  let session: Session<FixtureState>;
  return {
    async start(app) {
      session = new Session(app, driver);
      await session.start({ name: 'tester', token: 'test-token' });
      return session;
    },
    settle: () => session.whenIdle(),
    shown: async () => driver.shown(),
    text: async () => driver.readable(),
    signInAsked: async () => driver.signInAsked,
    async rebuilt() {
      const fresh = new HeadlessDriver();
      for (const c of session.snapshot()) apply(fresh, c);
      return fresh.shown();
    },
    type: async (name, text) => driver.type(name, text),
    click: async name => driver.click(name),
    activate: async (lb, v) => driver.activate(lb, v),
    cancel: async () => driver.cancel(),
    dispose: () => driver.stop(),
  };
});
