// Debian's Chromium driven by playwright-core. Under CI a missing browser fails the test; on a
// developer's machine without it, browser tests are skipped with the reason.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.PALAVER_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined if they can. Under CI=true, never a reason to skip. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env.CI === 'true') return undefined;   // let launch fail loudly in CI
  return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
