/**
 * Reading objects as an API server returns them (plain JSON), without trusting their shape:
 * a field of the wrong type reads as absent here, and the caller decides whether that is a
 * problem to report. Nothing is looked up on the prototype (`__proto__`, `constructor`).
 */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `obj.a.b.c` when every step is an object with that own key; else undefined. */
export function at(obj: unknown, ...path: readonly string[]): unknown {
  let here: unknown = obj;
  // An indexed loop: this runs for every field of every listed object, and is hot.
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    if (!isObject(here) || !Object.prototype.hasOwnProperty.call(here, key)) return undefined;
    here = here[key];
  }
  return here;
}

export function objectAt(obj: unknown, ...path: readonly string[]): JsonObject | undefined {
  const v = at(obj, ...path);
  return isObject(v) ? v : undefined;
}

export function stringAt(obj: unknown, ...path: readonly string[]): string | undefined {
  const v = at(obj, ...path);
  return typeof v === 'string' ? v : undefined;
}

export function arrayAt(obj: unknown, ...path: readonly string[]): readonly unknown[] {
  const v = at(obj, ...path);
  return Array.isArray(v) ? v : [];
}

/** An own key of an object holding anything (labels and annotations are string maps). */
export function ownKey(obj: JsonObject | undefined, key: string): unknown {
  return obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}
