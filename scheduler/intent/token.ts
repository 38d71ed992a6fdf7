import { clip } from '../diagnostics/clip.js';

/** Tokens of the intent language. Spans are offsets into the source text. */
export type TokenKind =
  'ident' | 'string' | 'number' | '{' | '}' | '(' | ')' | '[' | ']' | ':' | ',' | '!' | '&&' | '||' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Source offsets, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** Identifier name, decoded string contents, or the number's digits. */
  readonly text: string;
  /** For numbers: the unit written right after the digits (`ms` in `15ms`), or ''. */
  readonly unit: string;
  /** True when a line break separates this token from the previous one. */
  readonly newlineBefore: boolean;
}

export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'ident':
      return `"${clip(t.text)}"`;
    case 'string':
      return 'a string';
    case 'number':
      return `"${clip(t.text + t.unit)}"`;
    default:
      return `"${t.kind}"`;
  }
}
