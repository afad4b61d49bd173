// `palaver line [--url URL]`: chat in plain lines (a serial console, a screen reader, a script),
// connected to a running server.
import { parseArgs } from 'node:util';
import { languagesFromEnv } from '../core/i18n.ts';
import { runLineRemote } from '../drivers/line/remote.ts';

export async function lineCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { url: { type: 'string', default: process.env.PALAVER_URL ?? 'http://localhost:8080' } } });
  let url: URL;
  try {
    url = new URL(values.url!);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    process.stderr.write(`palaver line: --url must be an http:// or https:// address, not ${values.url}\n`);
    return 2;
  }
  await runLineRemote(url.href, process.stdin, process.stdout, languagesFromEnv());
  return 0;
}
