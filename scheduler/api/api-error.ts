/** An API error as the client sees it: the HTTP status, a stable code to branch on, one line of why. */
export interface ApiError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export const apiError = (status: number, code: string, message: string): ApiError =>
  Object.freeze({ status, code, message });

/** The body of every error response: `{ "error": { "code": …, "message": … } }`. */
export const errorBody = (e: ApiError) => ({ error: { code: e.code, message: e.message } });
