import { HeadlessDriver } from '../../drivers/headless/driver.ts';
import { conformance } from './suite.ts';

conformance('headless', async () => {
  const driver = new HeadlessDriver();
  return {
    driver,
    shown: async () => driver.shown(),
    type: async (name, text) => driver.type(name, text),
    click: async name => driver.click(name),
    activate: async (lb, v) => driver.activate(lb, v),
    cancel: async () => driver.cancel(),
    dispose: () => driver.stop(),
  };
});
