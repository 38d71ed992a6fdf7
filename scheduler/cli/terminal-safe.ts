import type { CliIo } from './io.js';

/**
 * Characters a terminal acts on rather than shows: C0 controls but tab and line feed (ESC
 * starts escape sequences that can rewrite the screen, CR overwrites a line), DEL, C1
 * controls (U+009B is a one-character CSI on some terminals) and the bidirectional overrides
 * and isolates that reorder what is seen ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Shows each unsafe character as its `\uXXXX` escape: readable in text, and the same escape
 * JSON uses, so `--json` output stays valid JSON meaning the same string.
 */
export function neutralise(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The same io, with everything written to stdout and stderr neutralised. */
export function terminalSafe(io: CliIo): CliIo {
  return { ...io, stdout: (s) => io.stdout(neutralise(s)), stderr: (s) => io.stderr(neutralise(s)) };
}
