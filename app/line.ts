// `palaver line [--url URL]`: chat in plain lines (a serial console, a screen reader, a script),
// connected to a running server.
import { languagesFromEnv } from '../core/i18n.ts';
import { runLineRemote } from '../drivers/line/remote.ts';
import { serverUrl } from './server-url.ts';

export async function lineCommand(args: string[]): Promise<number> {
  const url = serverUrl('line', args);
  if (!url) return 2;
  await runLineRemote(url.href, process.stdin, process.stdout, languagesFromEnv());
  return 0;
}
