import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { clip } from '../diagnostics/clip.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { Token, TokenKind } from './token.js';

const PUNCT: Readonly<Record<string, TokenKind>> = {
  '{': '{',
  '}': '}',
  '(': '(',
  ')': ')',
  '[': '[',
  ']': ']',
  ':': ':',
  ',': ',',
};

const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isUnitStart = (c: string): boolean => /[A-Za-z%µ]/.test(c);
const isUnitPart = (c: string): boolean => /[A-Za-z0-9%µ/]/.test(c);

/**
 * Splits an intent file into tokens. Never throws: malformed input becomes diagnostics and
 * the lexer skips ahead, so the parser always sees a token stream ending in `eof`.
 */
export function tokenize(source: SourceFile): { tokens: Token[]; diagnostics: Diagnostic[] } {
  const text = source.text;
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let i = 0;
  let newlineBefore = false;

  const report = (
    code: string,
    message: string,
    start: number,
    end: number,
    expected?: string,
    hint?: string,
  ): void => {
    diagnostics.push(
      diagnostic({
        code,
        message,
        span: source.span(start, end),
        source,
        ...(expected ? { expected } : {}),
        ...(hint ? { hint } : {}),
      }),
    );
  };
  const push = (kind: TokenKind, start: number, end: number, value = '', unit = ''): void => {
    tokens.push({ kind, start, end, text: value, unit, newlineBefore });
    newlineBefore = false;
  };

  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n' || c === '\r') {
      newlineBefore = true;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\ufeff') {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) {
        report('intent/unterminated-comment', 'block comment is never closed', i, i + 2, '"*/" to close the comment');
        i = text.length;
      } else {
        if (/[\r\n]/.test(text.slice(i, close))) newlineBefore = true;
        i = close + 2;
      }
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < text.length && isIdentPart(text[i] as string)) i++;
      if (text[i] === '-' && isIdentPart(text[i + 1] ?? '')) {
        // `sre-oncall` unquoted: say so once, then carry on as if it were quoted.
        while (
          i < text.length &&
          (isIdentPart(text[i] as string) || (text[i] === '-' && isIdentPart(text[i + 1] ?? '')))
        )
          i++;
        const word = text.slice(start, i);
        report(
          'intent/unquoted-name',
          `"${clip(word)}" contains "-" and must be quoted`,
          start,
          i,
          'a string in double quotes',
          `write "${clip(word)}"`,
        );
        push('string', start, i, word);
        continue;
      }
      push('ident', start, i, text.slice(start, i));
    } else if (isDigit(c)) {
      const start = i;
      while (i < text.length && isDigit(text[i] as string)) i++;
      if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
        i++;
        while (i < text.length && isDigit(text[i] as string)) i++;
      }
      const digitsEnd = i;
      if (i < text.length && isUnitStart(text[i] as string)) {
        while (i < text.length && isUnitPart(text[i] as string)) i++;
      }
      push('number', start, i, text.slice(start, digitsEnd), text.slice(digitsEnd, i));
    } else if (c === '"') {
      i = lexString(i);
    } else if (c === '&' && text[i + 1] === '&') {
      push('&&', i, i + 2);
      i += 2;
    } else if (c === '|' && text[i + 1] === '|') {
      push('||', i, i + 2);
      i += 2;
    } else if (c === '!') {
      push('!', i, i + 1);
      i++;
    } else if (
      c === "'" &&
      text.indexOf("'", i + 1) > i &&
      !/[\r\n]/.test(text.slice(i + 1, text.indexOf("'", i + 1)))
    ) {
      // 'single-quoted': say so once, then read it as the double-quoted string that was meant.
      const close = text.indexOf("'", i + 1);
      report(
        'intent/unexpected-character',
        'unexpected character "\'"',
        i,
        i + 1,
        'a string in double quotes',
        'strings use double quotes',
      );
      push('string', i, close + 1, text.slice(i + 1, close));
      i = close + 1;
    } else if (c === '=') {
      // `key = value`: report it, then read it as the ":" that was meant.
      report(
        'intent/unexpected-character',
        'unexpected character "="',
        i,
        i + 1,
        'a ":" between key and value',
        'keys and values are separated by ":"',
      );
      push(':', i, i + 1);
      i++;
    } else if (PUNCT[c] !== undefined) {
      push(PUNCT[c], i, i + 1);
      i++;
    } else {
      const start = i;
      const cp = text.codePointAt(i) ?? 0;
      i += cp > 0xffff ? 2 : 1;
      // Collapse a run of junk into one diagnostic; binary-ish input would otherwise flood.
      while (i < text.length && isJunk(text[i] as string)) i++;
      const shown =
        cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
          ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
          : `"${String.fromCodePoint(cp)}"`;
      report(
        'intent/unexpected-character',
        `unexpected character ${shown}`,
        start,
        start + 1,
        'an identifier, a string in double quotes, a number, or one of { } ( ) [ ] : , ! && ||',
        c === "'"
          ? 'strings use double quotes'
          : c === ';'
            ? 'statements need no ";"'
            : c === '='
              ? 'keys and values are separated by ":"'
              : undefined,
      );
    }
  }
  push('eof', text.length, text.length);
  return { tokens, diagnostics };

  function isJunk(ch: string): boolean {
    return !/[\sA-Za-z0-9_"{}()[\]:,!&|/]/.test(ch);
  }

  function lexString(start: number): number {
    let j = start + 1;
    let value = '';
    while (j < text.length) {
      const ch = text[j] as string;
      if (ch === '"') {
        push('string', start, j + 1, value);
        return j + 1;
      }
      if (ch === '\n' || ch === '\r') break;
      if (ch === '\\') {
        const esc = text[j + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };
        if (esc !== undefined && simple[esc] !== undefined) {
          value += simple[esc];
          j += 2;
          continue;
        }
        if (esc === 'u' && text[j + 2] === '{') {
          const close = text.indexOf('}', j + 3);
          const hex = close > 0 ? text.slice(j + 3, close) : '';
          const cp = /^[0-9A-Fa-f]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
          if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
            value += String.fromCodePoint(cp);
            j = close + 1;
            continue;
          }
        }
        report(
          'intent/bad-escape',
          `invalid escape sequence in string`,
          j,
          j + 2,
          'one of \\" \\\\ \\n \\t \\r \\u{hex}',
        );
        j += esc === undefined ? 1 : 2;
        continue;
      }
      value += ch;
      j++;
    }
    report('intent/unterminated-string', 'string is never closed', start, j, 'a closing " on the same line');
    push('string', start, j, value);
    return j;
  }
}
