// The one interface a front-end implements. The core calls it; it reports user events back.
import type { ErrorCode } from './errors.ts';
import type { Parts } from './roles.ts';
import type { WidgetKind } from './schema.ts';
import type { Attributes, Value } from './values.ts';

export type WidgetId = string;

export interface WidgetSpec {
  id: WidgetId;
  kind: WidgetKind;
  /** null for a root: the window, or a popup shown modal above it. */
  parent: WidgetId | null;
  /** Insert before this sibling; absent means append. */
  before?: WidgetId;
  attrs: Attributes;
  /** The events a description binds on this widget: the only ones a driver reports. */
  events: readonly string[];
  /** A listbox's entry parts by attribute name (core/roles.ts), when its description declares them. */
  parts?: Parts;
}

/** A user's action: which widget, which event, and what the user had typed or selected. */
export interface UserEvent {
  id: WidgetId;
  name: string;
  /** The value of each user-editable widget that changed (textbox text, listbox selection). */
  state: Record<WidgetId, Value>;
}

export interface EventSink {
  event(e: UserEvent): void;
  /** The user edited a widget (typing); no action runs, the session just keeps the text. */
  input(id: WidgetId, value: Value): void;
  /**
   * The user identifies themselves (the answer to `forbidden`), for front-ends that ask for a
   * name themselves rather than show a sign-in screen. A refusal comes back as
   * `error('auth-failed', message)`; success as the screen of a signed-in user.
   */
  authenticate(user: string, password?: string): void;
}

/**
 * What a front-end can draw: `popups` (modal, over the screen), `lists` (selectable lists),
 * `multiline` (text boxes of several lines), `mouse`, `colour`. A screen may offer a fallback
 * where one is missing (`ui.can('popups')`).
 */
export const CAPABILITIES = ['popups', 'lists', 'multiline', 'mouse', 'colour'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(s: unknown): s is Capability {
  return (CAPABILITIES as readonly unknown[]).includes(s);
}

export interface Driver {
  /** The user's preferred languages, most preferred first (BCP 47 tags). */
  languages(): readonly string[];
  /** What this front-end can draw. */
  capabilities(): readonly Capability[];
  start(events: EventSink): Promise<void>;
  create(widget: WidgetSpec): void;
  set(id: WidgetId, attr: string, value: Value): void;
  /** Removes the widget and its descendants. Must be safe while the widget is handling an event. */
  remove(id: WidgetId): void;
  clear(): void;
  /** Nobody is signed in: the front-end should let the user identify themselves. */
  forbidden(reason?: string): void;
  /** Something the user did was refused (a modal popup is open, a widget is gone, …): see core/errors.ts. */
  error(code: ErrorCode, message: string): void;
  stop(): Promise<void>;
}
