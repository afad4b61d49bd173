/** Values a widget attribute can hold once a description has been read. */
export type Value = string | number | boolean | null;

/** A `(_ "text")` string: translated per session when a widget is created. */
export class Translatable {
  constructor(readonly msgid: string) {}
}

/** What a description may put in an attribute before translation. */
export type DescriptionValue = Value | Translatable;

export type Attributes = Record<string, Value>;
