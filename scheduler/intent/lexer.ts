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
  const lexer = new Lexer(source);
  lexer.run();
  return { tokens: lexer.tokens, diagnostics: lexer.diagnostics };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };

/** Hints for characters people write out of habit from other languages. */
const CHARACTER_HINTS: Readonly<Record<string, string>> = {
  "'": 'strings use double quotes',
  ';': 'statements need no ";"',
  '=': 'keys and values are separated by ":"',
};

/** One pass over the text: `i` is the read position, each step consumes at least one character. */
class Lexer {
  readonly tokens: Token[] = [];
  readonly diagnostics: Diagnostic[] = [];
  private readonly text: string;
  private i = 0;
  private newlineBefore = false;

  constructor(private readonly source: SourceFile) {
    this.text = source.text;
  }

  run(): void {
    while (this.i < this.text.length) this.step(this.text[this.i] as string);
    this.push('eof', this.text.length, this.text.length);
  }

  private report(code: string, message: string, start: number, end: number, expected?: string, hint?: string): void {
    this.diagnostics.push(
      diagnostic({
        code,
        message,
        span: this.source.span(start, end),
        source: this.source,
        ...(expected ? { expected } : {}),
        ...(hint ? { hint } : {}),
      }),
    );
  }

  private push(kind: TokenKind, start: number, end: number, value = '', unit = ''): void {
    this.tokens.push({ kind, start, end, text: value, unit, newlineBefore: this.newlineBefore });
    this.newlineBefore = false;
  }

  private step(c: string): void {
    const { text, i } = this;
    if (c === '\n' || c === '\r') {
      this.newlineBefore = true;
      this.i++;
    } else if (c === ' ' || c === '\t' || c === '\ufeff') {
      this.i++;
    } else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      this.comment();
    } else if (isIdentStart(c)) {
      this.word();
    } else if (isDigit(c)) {
      this.number();
    } else if (c === '"') {
      this.string();
    } else if ((c === '&' || c === '|') && text[i + 1] === c) {
      this.push(c === '&' ? '&&' : '||', i, i + 2);
      this.i += 2;
    } else if (c === '!') {
      this.push('!', i, i + 1);
      this.i++;
    } else if (c === "'" && this.singleQuotedEnd() !== undefined) {
      this.singleQuoted();
    } else if (c === '=') {
      // `key = value`: report it, then read it as the ":" that was meant.
      this.report(
        'intent/unexpected-character',
        'unexpected character "="',
        i,
        i + 1,
        'a ":" between key and value',
        CHARACTER_HINTS['='],
      );
      this.push(':', i, i + 1);
      this.i++;
    } else if (PUNCT[c] !== undefined) {
      this.push(PUNCT[c], i, i + 1);
      this.i++;
    } else {
      this.junk(c);
    }
  }

  /** `// …` to the end of the line, or `/* … *\/` (a line break inside counts as one). */
  private comment(): void {
    const { text } = this;
    if (text[this.i + 1] === '/') {
      while (this.i < text.length && text[this.i] !== '\n' && text[this.i] !== '\r') this.i++;
      return;
    }
    const close = text.indexOf('*/', this.i + 2);
    if (close < 0) {
      this.report(
        'intent/unterminated-comment',
        'block comment is never closed',
        this.i,
        this.i + 2,
        '"*/" to close the comment',
      );
      this.i = text.length;
      return;
    }
    if (/[\r\n]/.test(text.slice(this.i, close))) this.newlineBefore = true;
    this.i = close + 2;
  }

  /** An identifier; `sre-oncall` unquoted is reported once, then read as if it were quoted. */
  private word(): void {
    const { text } = this;
    const start = this.i;
    while (this.i < text.length && isIdentPart(text[this.i] as string)) this.i++;
    if (!(text[this.i] === '-' && isIdentPart(text[this.i + 1] ?? ''))) {
      this.push('ident', start, this.i, text.slice(start, this.i));
      return;
    }
    const hyphenated = (k: number): boolean => text[k] === '-' && isIdentPart(text[k + 1] ?? '');
    while (this.i < text.length && (isIdentPart(text[this.i] as string) || hyphenated(this.i))) this.i++;
    const word = text.slice(start, this.i);
    this.report(
      'intent/unquoted-name',
      `"${clip(word)}" contains "-" and must be quoted`,
      start,
      this.i,
      'a string in double quotes',
      `write "${clip(word)}"`,
    );
    this.push('string', start, this.i, word);
  }

  /** Digits, an optional fraction, and the unit written right after them. */
  private number(): void {
    const { text } = this;
    const start = this.i;
    while (this.i < text.length && isDigit(text[this.i] as string)) this.i++;
    if (text[this.i] === '.' && isDigit(text[this.i + 1] ?? '')) {
      this.i++;
      while (this.i < text.length && isDigit(text[this.i] as string)) this.i++;
    }
    const digitsEnd = this.i;
    if (this.i < text.length && isUnitStart(text[this.i] as string)) {
      while (this.i < text.length && isUnitPart(text[this.i] as string)) this.i++;
    }
    this.push('number', start, this.i, text.slice(start, digitsEnd), text.slice(digitsEnd, this.i));
  }

  /** Where a `'single-quoted'` string closes on the same line, if it does. */
  private singleQuotedEnd(): number | undefined {
    const close = this.text.indexOf("'", this.i + 1);
    return close > this.i && !/[\r\n]/.test(this.text.slice(this.i + 1, close)) ? close : undefined;
  }

  /** 'single-quoted': said once, then read as the double-quoted string that was meant. */
  private singleQuoted(): void {
    const close = this.singleQuotedEnd() as number;
    const i = this.i;
    this.report(
      'intent/unexpected-character',
      'unexpected character "\'"',
      i,
      i + 1,
      'a string in double quotes',
      CHARACTER_HINTS["'"],
    );
    this.push('string', i, close + 1, this.text.slice(i + 1, close));
    this.i = close + 1;
  }

  /** Anything else: one diagnostic for a run of junk, so binary-ish input does not flood. */
  private junk(c: string): void {
    const { text } = this;
    const start = this.i;
    const cp = text.codePointAt(this.i) ?? 0;
    this.i += cp > 0xffff ? 2 : 1;
    while (this.i < text.length && isJunk(text[this.i] as string)) this.i++;
    const shown =
      cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
        ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
        : `"${String.fromCodePoint(cp)}"`;
    this.report(
      'intent/unexpected-character',
      `unexpected character ${shown}`,
      start,
      start + 1,
      'an identifier, a string in double quotes, a number, or one of { } ( ) [ ] : , ! && ||',
      CHARACTER_HINTS[c],
    );
  }

  /** A double-quoted string; it must close on its line. */
  private string(): void {
    const { text } = this;
    const start = this.i;
    let j = start + 1;
    let value = '';
    while (j < text.length) {
      const ch = text[j] as string;
      if (ch === '"') {
        this.push('string', start, j + 1, value);
        this.i = j + 1;
        return;
      }
      if (ch === '\n' || ch === '\r') break;
      if (ch === '\\') {
        const [decoded, next] = this.escape(j);
        value += decoded;
        j = next;
        continue;
      }
      value += ch;
      j++;
    }
    this.report('intent/unterminated-string', 'string is never closed', start, j, 'a closing " on the same line');
    this.push('string', start, j, value);
    this.i = j;
  }

  /** The escape at `j` (a backslash): what it stands for and where reading goes on. */
  private escape(j: number): [string, number] {
    const { text } = this;
    const esc = text[j + 1];
    const simple = esc !== undefined ? SIMPLE_ESCAPES[esc] : undefined;
    if (simple !== undefined) return [simple, j + 2];
    if (esc === 'u' && text[j + 2] === '{') {
      const close = text.indexOf('}', j + 3);
      const hex = close > 0 ? text.slice(j + 3, close) : '';
      const cp = /^[0-9A-Fa-f]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
      if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) return [String.fromCodePoint(cp), close + 1];
    }
    this.report(
      'intent/bad-escape',
      `invalid escape sequence in string`,
      j,
      j + 2,
      'one of \\" \\\\ \\n \\t \\r \\u{hex}',
    );
    return ['', j + (esc === undefined ? 1 : 2)];
  }
}

function isJunk(ch: string): boolean {
  return !/[\sA-Za-z0-9_"{}()[\]:,!&|/]/.test(ch);
}
