/**
 * Why a source could not answer for a zone. These travel as values (see CarbonResult): one
 * zone's failure must never fail the others. Messages never contain credentials.
 */
export type CarbonErrorCode =
  | 'CARBON_UNKNOWN_ZONE'
  | 'CARBON_NO_DATA'
  | 'CARBON_UNAUTHORIZED'
  | 'CARBON_NO_TOKEN'
  | 'CARBON_RATE_LIMITED'
  | 'CARBON_TIMEOUT'
  | 'CARBON_UPSTREAM'
  | 'CARBON_NETWORK'
  | 'CARBON_BAD_REQUEST'
  | 'CARBON_BAD_RESPONSE'
  /** An answer that cannot be true: another zone, a time in the future, an impossible intensity (plausibility.ts). */
  | 'CARBON_BAD_READING';

export class CarbonError extends Error {
  override readonly name = 'CarbonError';

  constructor(
    readonly code: CarbonErrorCode,
    message: string,
    readonly zone: string,
    /** HTTP status, when the error is an answer from upstream. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export type CarbonResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CarbonError };

export const ok = <T>(value: T): CarbonResult<T> => ({ ok: true, value });
export const fail = <T>(error: CarbonError): CarbonResult<T> => ({ ok: false, error });
