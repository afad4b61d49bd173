import { headlessHarness } from './headless-harness.ts';
import { conformance } from './suite.ts';

conformance('headless', headlessHarness());
