/** Stable codes of store failures; scripts and callers may match on them. */
export type StoreErrorCode =
  | 'STORE_UNAVAILABLE'
  | 'STORE_BUSY'
  | 'STORE_LOCK_UNAVAILABLE'
  | 'STORE_LOCK_LOST'
  | 'STORE_WRITE_FAILED'
  | 'STORE_READ_FAILED'
  | 'MIGRATION_UNKNOWN'
  | 'MIGRATION_TRANSITION';

/**
 * A store failure that crosses a boundary: a stable code, and a one-line message without
 * secrets or query parameters.
 */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
