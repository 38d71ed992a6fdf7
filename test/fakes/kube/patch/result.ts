/** What every patch flavour returns: the patched object, or the API server's status for the failure. */
export type PatchResult =
  { ok: true; object: Record<string, unknown> } | { ok: false; code: 400 | 422; message: string };

/** 400: the patch itself is malformed (the API server cannot decode it). */
export const badRequest = (message: string): PatchResult => ({ ok: false, code: 400, message });

/** 422: the patch is well formed but does not apply to this object. */
export const unprocessable = (message: string): PatchResult => ({ ok: false, code: 422, message });
