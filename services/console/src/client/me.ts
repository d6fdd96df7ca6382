import type { Me } from './api.ts';
import { GRANTS } from './vocabulary.ts';

/** The signed-in person, once known; the page shows only what their role may use. */
let current: Me | undefined;

export function setMe(me: Me | undefined): void {
  current = me;
}

export function me(): Me | undefined {
  return current;
}

export function may(permission: string): boolean {
  return current !== undefined && (GRANTS[current.role] ?? []).includes(permission);
}
