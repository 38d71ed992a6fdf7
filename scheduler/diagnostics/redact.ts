/**
 * Masks what looks like a secret in text quoted back to the user: the path and query of
 * URLs (Slack webhook URLs carry their secret there) and long tokens mixing letters and
 * digits. Applied to every source excerpt, because a secret pasted into a config file must
 * not travel on into terminals, CI logs and chat.
 */
const URL_TAIL = /\b(https?:\/\/[^\s/'"]+)\/[^\s'"}\],]*/g;
const TOKEN = /(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{24,}(?![A-Za-z0-9_-])/g;

export function redactSecrets(text: string): string {
  return text.replace(URL_TAIL, '$1/…').replace(TOKEN, '[redacted]');
}
