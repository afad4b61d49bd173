// `npm install` on Node 20 prints no EBADENGINE warning (issue 10, item 14): every package the lock
// installs, and every package actually installed, declares engines that admit this Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
type Manifest = { version?: string; engines?: { node?: string }; optional?: boolean; os?: string[]; cpu?: string[] };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Manifest> };

/** The packages whose declared engines exclude the running Node, as `path@version (range)`. */
function excluded(entries: [string, Manifest][]): string[] {
  return entries
    .filter(([, m]) => m.engines?.node && !semver.satisfies(process.version, m.engines.node, { includePrerelease: true }))
    .map(([path, m]) => `${path}@${m.version} (node ${m.engines!.node})`);
}

test('the lock installs nothing whose engines exclude this Node', () => {
  assert.deepEqual(excluded(Object.entries(lock.packages)), []);
});

test('nothing installed in node_modules declares engines that exclude this Node', () => {
  const installed = Object.keys(lock.packages)
    .filter(path => path !== '' && existsSync(join(ROOT, path, 'package.json')))
    .map(path => [path, JSON.parse(readFileSync(join(ROOT, path, 'package.json'), 'utf8')) as Manifest] as [string, Manifest]);
  assert.ok(installed.length > 50, `only ${installed.length} packages found: is node_modules installed?`);
  assert.deepEqual(excluded(installed), []);
});
