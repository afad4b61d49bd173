// Which writing systems a name mixes. Look-alike names hide in mixes (a Cyrillic `а` inside a Latin
// name), so a name must be "highly restrictive" in the sense of UTS #39 §5.2: one script (plus
// Common and Inherited characters: digits, `_ - .`, combining marks), or Latin with the scripts
// written together in Japanese, Chinese or Korean.

// Unicode's script names (UTS #24). Those this Node does not know are left out; a letter of none
// of them counts as a script of its own, so it cannot mix with anything either.
const SCRIPT_NAMES = `Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak
  Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian
  Chakma Cham Cherokee Chorasmian Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari
  Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic
  Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew
  Hiragana Imperial_Aramaic Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Kawi
  Katakana Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu
  Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen
  Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi
  Mongolian Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu
  Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic Old_North_Arabian Old_Permic
  Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong
  Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra Sharada
  Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri Syriac
  Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan
  Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square Garay
  Gurung_Khema Kirat_Rai Ol_Onal Sunuwar Todhri Tulu_Tigalari Beria_Erfe Sidetic Tai_Yo Tolong_Siki`.split(/\s+/);

const SCRIPTS: [string, RegExp][] = SCRIPT_NAMES.flatMap(name => {
  try { return [[name, new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u')] as [string, RegExp]]; } catch { return []; }
});
const ANY_SCRIPT = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u;

// UTS #39's augmented script sets: Han is also written in Japanese (Jpan), Korean (Kore) and
// Chinese with Bopomofo (Hanb); kana belong to Japanese, Hangul to Korean, Bopomofo to Hanb.
const AUGMENT: Record<string, string[]> = {
  Han: ['Jpan', 'Kore', 'Hanb'], Hiragana: ['Jpan'], Katakana: ['Jpan'], Hangul: ['Kore'], Bopomofo: ['Hanb'],
};
const WITH_LATIN = ['Jpan', 'Hanb', 'Kore'];

// Finding a character's scripts tries every script: remember the answers, up to a bound.
const known = new Map<string, Set<string> | null>();
const KNOWN_MAX = 20_000;
/** One set object per distinct answer: characters of one script share it. */
const sets = new Map<string, Set<string>>();
const LATIN = new Set(['Latin']);

/** The augmented scripts of one character; null for Common and Inherited ones (they go with any). */
function scriptsOf(ch: string): Set<string> | null {
  if (ch < '\u0080') return /[A-Za-z]/.test(ch) ? LATIN : null;
  let scripts = known.get(ch);
  if (scripts !== undefined) return scripts;
  if (ANY_SCRIPT.test(ch)) scripts = null;
  else {
    const found = SCRIPTS.filter(([, re]) => re.test(ch)).map(([name]) => name);
    const names = found.length ? found.flatMap(s => [s, ...(AUGMENT[s] ?? [])]) : [`U+${ch.codePointAt(0)!.toString(16)}`];
    const id = names.join(' ');
    scripts = sets.get(id) ?? new Set(names);
    if (known.size < KNOWN_MAX) sets.set(id, scripts);
  }
  if (known.size < KNOWN_MAX) known.set(ch, scripts);
  return scripts;
}

/** True if `text` is written in one script, or is Latin mixed only with Japanese, Chinese or Korean. */
export function singleScript(text: string): boolean {
  const sets = [...text].map(scriptsOf).filter((s): s is Set<string> => s !== null);
  if (!sets.length) return true;
  const common = sets.reduce((acc, s) => new Set([...acc].filter(x => s.has(x))));
  if (common.size) return true;
  return WITH_LATIN.some(cjk => sets.every(s => s.has(cjk) || s.has('Latin')));
}
