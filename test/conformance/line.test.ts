import { lineHarness } from './line-harness.ts';
import { conformance } from './suite.ts';

conformance('line', lineHarness());
