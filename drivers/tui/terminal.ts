// The real terminal: a blessed screen on stdin/stdout.
import blessed from 'blessed';

/** Whether the locale says the terminal speaks UTF-8. */
export function utf8Locale(env: NodeJS.ProcessEnv = process.env): boolean {
  return /utf-?8/i.test(env.LC_ALL || env.LC_CTYPE || env.LANG || '');
}

export function openTerminal(env: NodeJS.ProcessEnv = process.env): blessed.Widgets.Screen {
  const utf8 = utf8Locale(env);
  // No title is set: the terminal's title stays the user's.
  const screen = blessed.screen({ smartCSR: true, fullUnicode: true, forceUnicode: utf8 || undefined, autoPadding: false, warnings: false, dockBorders: false });
  // In a UTF-8 locale draw lines with Unicode box characters, not the alternate character set
  // (ACS), which multiplexers and some terminals pass through as plain letters.
  if (utf8) (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
  return screen;
}
