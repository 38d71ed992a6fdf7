/** Shortens user text quoted inside a message, so a 1 MB identifier is not echoed whole. */
export function clip(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** "a duration", "an intent file": the indefinite article for a noun phrase. */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}
