// The reference driver's harness: it has no screen, so what it shows is its tree (and the
// refusals it was told). `make` builds the driver, so that the mutation check can break it.
import { apply } from '../../core/commands.ts';
import { Session } from '../../core/session.ts';
import { HeadlessDriver } from '../../drivers/headless/driver.ts';
import type { FixtureState } from '../support/fixture-app.ts';
import type { MakeDriver } from './suite.ts';

export function headlessHarness(make: (languages?: string[]) => HeadlessDriver = languages => new HeadlessDriver(languages)): MakeDriver {
  return async (o = {}) => {
    const driver = make(o.languages);
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
        const fresh = make();
        for (const c of session.snapshot()) apply(fresh, c);
        return fresh.shown();
      },
      type: async (name, text) => driver.type(name, text),
      submit: async name => driver.submit(name),
      click: async name => driver.click(name),
      select: async (lb, v) => driver.select(lb, v),
      activate: async (lb, v) => driver.activate(lb, v),
      cancel: async () => driver.cancel(),
      dispose: () => driver.stop(),
    };
  };
}
