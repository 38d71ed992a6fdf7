/** Replaces tabs and control characters so the caret lines up and the terminal stays sane. */
export function printable(s: string): string {
  // \p{Cc}: the C0 and C1 control characters, U+0000–U+001F and U+007F–U+009F.
  return s.replace(/\p{Cc}/gu, (c) => (c === '\t' ? ' ' : '\u00b7'));
}
