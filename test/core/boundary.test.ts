// The driver boundary: no file of core/ or drivers/ knows a screen's widget names or its entries'
// part names. Drivers style and place by role (core/roles.ts); the descriptions own the names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAll, type Datum } from '../../core/sexpr.ts';
import { PART_ROLES, WIDGET_ROLES } from '../../core/roles.ts';
import { KINDS, SCHEMA } from '../../core/schema.ts';
import { COMMANDS as LINE_COMMANDS } from '../../drivers/line/driver.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UI = join(ROOT, 'ui-descriptions');

/** Every `name X` and `(part X ROLE)` in the shipped descriptions, and each screen's own name. */
function screenNames(): Set<string> {
  const names = new Set<string>();
  const visit = (d: Datum) => {
    if (d.type !== 'list') return;
    const [head, second] = d.items;
    if (head?.type === 'symbol' && head.value === 'part' && second?.type === 'symbol') names.add(second.value);
    d.items.forEach((it, i) => {
      const next = d.items[i + 1];
      if (it.type === 'symbol' && it.value === 'name' && next && (next.type === 'symbol' || next.type === 'string')) names.add(String(next.value));
      visit(it);
    });
  };
  for (const f of readdirSync(UI).filter(f => f.endsWith('.scm'))) {
    names.add(f.slice(0, -4));
    readAll(readFileSync(join(UI, f), 'utf8'), f).forEach(visit);
  }
  return names;
}

/**
 * Words a driver may use although a screen also uses them as a name: the core's own vocabulary
 * (widget kinds, attributes, events, roles, part roles) and the protocol's ops. A widget named
 * `error` with role `error` is found by its role; the string 'error' in a driver is the role.
 */
function vocabulary(): Set<string> {
  const words = new Set<string>([...KINDS, ...Object.keys(WIDGET_ROLES), ...Object.keys(PART_ROLES), 'new', 'set', 'delete', 'clear', 'forbidden', 'error', 'hello', 'get', 'event', 'input', 'auth', 'ack', 'credential', 'bye']);
  for (const k of KINDS) { Object.keys(SCHEMA[k].attrs).forEach(a => words.add(a)); SCHEMA[k].events.forEach(e => words.add(e)); }
  return words;
}

/**
 * Screen names that are also words of the platforms drivers speak; in core/ and drivers/ they
 * are only ever those (checked by hand when this list was made), so the test does not look.
 */
const PLATFORM_WORDS: Record<string, string> = {
  main: 'an HTML element and ARIA landmark', time: 'an HTML element', password: 'an input type',
  alert: 'an ARIA role', enter: 'a key name', message: 'a WebSocket event', 'sign-out': 'a log event and an end reason',
  ok: 'a health check answer', no: 'a data attribute value', create: 'the Driver method',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap(f => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|css|html)$/.test(f) ? [p] : [];
  });
}

test('no file in core/ or drivers/ names a screen\'s widgets or its entries\' parts', () => {
  const allowed = vocabulary();
  const names = [...screenNames()].filter(n => !allowed.has(n) && !Object.hasOwn(PLATFORM_WORDS, n));
  assert.ok(names.includes('messages') && names.includes('author') && names.includes('topic'), 'the names were read');
  const hits: string[] = [];
  for (const file of [...files(join(ROOT, 'core')), ...files(join(ROOT, 'drivers'))]) {
    // The line client's command words (`login`, `send`, `channels`) are its own language; it
    // finds the widgets they act on by role. Elsewhere those words are screen names.
    const own = file.endsWith(join('drivers', 'line', 'driver.ts')) ? LINE_COMMANDS : new Set<string>();
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      for (const name of names) {
        if (own.has(name)) continue;
        // As a string, a CSS selector or class, or an attribute read (`attrs.author`).
        const inString = new RegExp(`(['"\`])${name}\\1|data-name=["']?${name}\\b`);
        const inCss = file.endsWith('.css') && new RegExp(`\\.${name}\\b|=${name}\\b`).test(line);
        if (inString.test(line) || inCss || new RegExp(`\\b(?:attrs|a)\\.${name}\\b`).test(line)) {
          hits.push(`${file.slice(ROOT.length)}:${i + 1}: ${name}: ${line.trim()}`);
        }
      }
    });
  }
  assert.deepEqual(hits, []);
});
