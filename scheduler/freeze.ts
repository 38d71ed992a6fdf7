/**
 * Freezes a plain object graph so the immutable snapshot the planner sees cannot be
 * changed under it. Maps and class instances are left alone (their types are read-only).
 */
export function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o) && isPlain(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

function isPlain(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}
