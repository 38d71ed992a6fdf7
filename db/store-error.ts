/** A store failure that crosses a boundary: a stable code, and a message without secrets. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_UNAVAILABLE' | 'MIGRATION_UNKNOWN' | 'MIGRATION_TRANSITION',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
