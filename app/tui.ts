// `palaver tui [--url URL]`: chat in this terminal, connected to a running server.
import { parseArgs } from 'node:util';
import { runRemote } from '../drivers/tui/remote.ts';
import { languagesFromEnv } from '../core/i18n.ts';
import { openTerminal } from '../drivers/tui/terminal.ts';

export async function tuiCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { url: { type: 'string', default: process.env.PALAVER_URL ?? 'http://localhost:8080' } } });
  let url: URL;
  try {
    url = new URL(values.url!);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    process.stderr.write(`palaver tui: --url must be an http:// or https:// address, not ${values.url}\n`);
    return 2;
  }
  const screen = openTerminal();
  const remote = await runRemote(url.href, screen, languagesFromEnv());
  await remote.done;
  screen.destroy();
  return 0;
}
