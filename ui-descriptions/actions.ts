// The actions the chat's descriptions call, by name.
import type { Action } from '../core/library.ts';

export const actions: Record<string, Action> = {};
