// Translation catalogs. English is the source language: a msgid is the English text, so a
// string missing from a catalog shows in English.

export type Catalog = Record<string, string>;

export class Catalogs {
  private readonly catalogs = new Map<string, Catalog>();

  constructor(catalogs: Record<string, Catalog> = {}) {
    this.catalogs.set('en', {});
    for (const [lang, c] of Object.entries(catalogs)) this.catalogs.set(lang, c);
  }

  get languages(): string[] { return [...this.catalogs.keys()]; }

  /** The first of `preferred` that Palaver has (by exact tag, then by primary subtag), else English. */
  pick(preferred: readonly string[]): string {
    const have = this.languages;
    for (const raw of preferred) {
      const tag = raw.trim().replace(/_/g, '-').split('.')[0].toLowerCase();
      if (!tag) continue;
      const exact = have.find(l => l.toLowerCase() === tag);
      if (exact) return exact;
      const primary = tag.split('-')[0];
      const near = have.find(l => l.toLowerCase().split('-')[0] === primary);
      if (near) return near;
    }
    return 'en';
  }

  /** Translates `msgid` and fills `{name}` placeholders from `params`. */
  translate(lang: string, msgid: string, params?: Record<string, string | number>): string {
    const text = this.catalogs.get(lang)?.[msgid] ?? msgid;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
  }
}

/**
 * A terminal program's languages, from the locale environment as gettext reads it: LANGUAGE
 * (a colon list), then LC_ALL, LC_MESSAGES, LANG; `ru_RU.UTF-8` → `ru-RU`.
 */
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
