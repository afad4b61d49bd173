// The typed schema of widget kinds: which attributes each takes, of which type, which events
// it can raise, and what it may contain. Descriptions are validated against it; drivers render it.

export type AttrType = 'text' | 'symbol' | 'boolean' | 'integer';

export interface KindSchema {
  attrs: Record<string, AttrType>;
  events: readonly string[];
  /** Kinds allowed as children; empty for leaves. */
  children: readonly WidgetKind[];
  /** The attribute the user edits, reported back in an event's state. */
  editable?: string;
}

export type WidgetKind = 'window' | 'popup' | 'vbox' | 'hbox' | 'label' | 'button' | 'textbox' | 'listbox' | 'item';

const COMMON: Record<string, AttrType> = { name: 'symbol', visible: 'boolean', enabled: 'boolean' };
/** `role`: what the widget is for (core/roles.ts), for drivers to style and place it by. */
const ROLED: Record<string, AttrType> = { ...COMMON, role: 'symbol' };
const CONTAINED: readonly WidgetKind[] = ['vbox', 'hbox', 'label', 'button', 'textbox', 'listbox'];

export const SCHEMA: Record<WidgetKind, KindSchema> = {
  window: { attrs: { ...ROLED, title: 'text' }, events: ['close'], children: CONTAINED },
  popup: { attrs: { ...ROLED, title: 'text' }, events: ['cancel'], children: CONTAINED },
  vbox: { attrs: { ...ROLED }, events: [], children: CONTAINED },
  hbox: { attrs: { ...ROLED }, events: [], children: CONTAINED },
  label: { attrs: { ...ROLED, text: 'text' }, events: [], children: [] },
  button: { attrs: { ...ROLED, text: 'text' }, events: ['click'], children: [] },
  textbox: {
    attrs: { ...ROLED, text: 'text', placeholder: 'text', secret: 'boolean', multiline: 'boolean', 'max-length': 'integer' },
    events: ['submit'], children: [], editable: 'text',
  },
  // max-items: past it, the first entries go (the session and every driver drop them alike).
  listbox: { attrs: { ...ROLED, selected: 'symbol', 'max-items': 'integer' }, events: ['select', 'activate'], children: ['item'], editable: 'selected' },
  // `value` is the action's handle on an entry. Its other attributes are the parts its list
  // declares, `(part NAME ROLE)`, typed by role (core/roles.ts).
  item: { attrs: { ...COMMON, text: 'text', value: 'symbol' }, events: [], children: [] },
};

export const KINDS = Object.keys(SCHEMA) as WidgetKind[];

export function isKind(s: string): s is WidgetKind {
  return Object.prototype.hasOwnProperty.call(SCHEMA, s);
}

/** True if `value` fits an attribute of type `type` (null resets any attribute). */
export function fits(type: AttrType, value: unknown): boolean {
  if (value === null) return true;
  switch (type) {
    case 'text': case 'symbol': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
  }
}
