// `palaver tui [--url URL]`: chat in this terminal, connected to a running server.
import { languagesFromEnv } from '../core/i18n.ts';
import { runRemote } from '../drivers/tui/remote.ts';
import { openTerminal } from '../drivers/tui/terminal.ts';
import { serverUrl } from './server-url.ts';

export async function tuiCommand(args: string[]): Promise<number> {
  const url = serverUrl('tui', args);
  if (!url) return 2;
  const screen = openTerminal();
  const remote = await runRemote(url.href, screen, languagesFromEnv());
  await remote.done;
  screen.destroy();
  return 0;
}
