// The real terminal: a blessed screen on stdin/stdout, and the user's languages from the
// locale environment, as gettext reads it.
import blessed from 'blessed';

/** LANGUAGE (a colon list), then LC_ALL, LC_MESSAGES, LANG: `ru_RU.UTF-8` → `ru-RU`. */
export function languagesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const tags: string[] = [];
  const add = (raw: string | undefined) => {
    const tag = raw?.split('.')[0].split('@')[0].replace(/_/g, '-');
    if (tag && tag !== 'C' && tag !== 'POSIX' && !tags.includes(tag)) tags.push(tag);
  };
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  // LANGUAGE is only honoured with a locale other than C, as in gettext.
  if (locale && locale !== 'C' && locale !== 'POSIX') for (const l of (env.LANGUAGE ?? '').split(':')) add(l);
  add(locale);
  return tags;
}

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
