// The error codes a front-end can be told are documented, every one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLOSE, ERROR_CODES } from '../../core/errors.ts';

const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');

test('docs/architecture.md documents every error code of core/errors.ts and every close code', () => {
  for (const code of Object.keys(ERROR_CODES)) assert.ok(doc.includes(`| \`${code}\` |`), `${code} is not in the docs' table`);
  for (const { code } of Object.values(CLOSE)) assert.ok(doc.includes(String(code)), `close code ${code} is not documented`);
});
