/**
 * Masks what looks like a secret in text shisa shows about a user's files: the path and
 * query of URLs (Slack webhook URLs carry their secret there), credentials in URLs
 * (`postgres://user:password@host`), what follows `Bearer` or `Basic`, and tokens — known shapes (Slack `xox…-`, GitHub
 * `gh…_`, JWTs) and long runs that mix upper- and lowercase letters and digits, or long hex.
 * Ordinary names (kebab-case regions and workloads, UPPER_CASE variable names, UUIDs) are
 * left alone. Applied to every diagnostic and source excerpt, because a secret pasted into a
 * config file must not travel on into terminals, CI logs and chat.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi;
const URL_TAIL = /\b(https?:\/\/[^\s/'"]+)\/[^\s'"}\],]*/g;
const KNOWN =
  /(?<![A-Za-z0-9_-])(?:xox[a-z]-[A-Za-z0-9-]{8,}|gh[pousr]_[A-Za-z0-9]{20,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)/g;
const RUN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g;
/** Whatever follows an HTTP authorization scheme is a credential, whatever its shape. */
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{6,}/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(AUTH_SCHEME, '$1$2[redacted]')
    .replace(URL_CREDENTIALS, '$1[redacted]@')
    .replace(URL_TAIL, '$1/…')
    .replace(KNOWN, '[redacted]')
    .replace(RUN, (run) => (looksLikeToken(run) ? '[redacted]' : run));
}

function looksLikeToken(run: string): boolean {
  if (/^[0-9a-f]{32,}$/i.test(run)) return true;
  return /[a-z]/.test(run) && /[A-Z]/.test(run) && /\d/.test(run);
}
