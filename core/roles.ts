// What a widget is for, and what the parts of a list entry are: the small vocabulary drivers
// style and place by. Descriptions say `role transcript`; no driver knows a screen's names.

/** Widget roles (the `role` attribute), with what each means to a front-end. */
export const WIDGET_ROLES = {
  heading: 'a title line (a channel topic): drawn prominent',
  status: "a quiet line about the user's own state (who is signed in)",
  error: 'a refusal or error message: drawn as an error, announced to screen readers',
  transcript: 'a list of messages, newest last, kept scrolled to the newest; a line client prints new entries',
  composer: 'the text box where a message is written; a line client sends plain lines to it',
  navigation: 'a list of places to go (channels); a line client lists and joins them',
  roster: 'a list of who is here',
  primary: "a button for the screen's main action: drawn accented",
  minor: 'a button for a side action (older messages): drawn small',
  form: 'a panel of fields (signing in): drawn as a centred card',
  sidebar: 'a narrow panel before the content (channels)',
  content: 'the panel that takes the room left (the conversation)',
  aside: 'a narrow panel after the content (who is here)',
} as const;

export type WidgetRole = keyof typeof WIDGET_ROLES;

/** Part roles: what a part of a list entry is; its type follows from its role. */
export const PART_ROLES = {
  byline: 'text',          // who wrote it
  timestamp: 'text',       // when
  own: 'boolean',          // the viewer's own entry: a front-end may offer to delete it
  announcement: 'boolean', // an aside (someone joined): drawn muted
} as const;

export type PartRole = keyof typeof PART_ROLES;

/** A list's parts: the attribute name its entries use for each, and that part's role. */
export type Parts = Readonly<Record<string, PartRole>>;

export const MAX_PARTS = 16;

export function isWidgetRole(s: unknown): s is WidgetRole {
  return typeof s === 'string' && Object.hasOwn(WIDGET_ROLES, s);
}

export function isPartRole(s: unknown): s is PartRole {
  return typeof s === 'string' && Object.hasOwn(PART_ROLES, s);
}

/** An entry as a front-end draws it: its text, and its parts by role. */
export interface EntryView {
  text: string;
  byline?: string;
  timestamp?: string;
  own: boolean;
  announcement: boolean;
}

/** Reads an entry's parts by role, through its list's `parts`. */
export function entryView(attrs: Readonly<Record<string, unknown>>, parts: Parts | undefined): EntryView {
  const view: EntryView = { text: typeof attrs.text === 'string' ? attrs.text : '', own: false, announcement: false };
  if (!parts) return view;
  for (const [name, role] of Object.entries(parts)) {
    const v = attrs[name];
    if (role === 'byline' || role === 'timestamp') { if (typeof v === 'string' && v) view[role] = v; }
    else if (v === true) view[role] = true;
  }
  return view;
}
