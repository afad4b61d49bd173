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
