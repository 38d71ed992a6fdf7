import { describe, expect, it } from 'vitest';
import { SourceFile } from '../diagnostics/source-file.js';
import { tokenize } from './lexer.js';

const lex = (text: string) => tokenize(new SourceFile('t.intent', text));

describe('tokenize', () => {
  it('reads numbers with their units, strings with escapes, and punctuation', () => {
    const { tokens, diagnostics } = lex('max: 15ms, x: 300gCO2eq/kWh, s: "a\\"b\\u{1F600}", !a && b || c');
    expect(diagnostics).toEqual([]);
    expect(tokens.map((t) => [t.kind, t.text, t.unit])).toEqual([
      ['ident', 'max', ''],
      [':', '', ''],
      ['number', '15', 'ms'],
      [',', '', ''],
      ['ident', 'x', ''],
      [':', '', ''],
      ['number', '300', 'gCO2eq/kWh'],
      [',', '', ''],
      ['ident', 's', ''],
      [':', '', ''],
      ['string', 'a"b\u{1F600}', ''],
      [',', '', ''],
      ['!', '', ''],
      ['ident', 'a', ''],
      ['&&', '', ''],
      ['ident', 'b', ''],
      ['||', '', ''],
      ['ident', 'c', ''],
      ['eof', '', ''],
    ]);
  });

  it('skips both kinds of comment and records line breaks before tokens', () => {
    const { tokens } = lex('a // note\n/* multi\nline */ b c');
    expect(tokens.map((t) => [t.text, t.newlineBefore])).toEqual([
      ['a', false],
      ['b', true],
      ['c', false],
      ['', false],
    ]);
  });

  it('reports unterminated strings and comments, bad escapes and stray characters, and keeps going', () => {
    const { tokens, diagnostics } = lex('"open\n"bad\\q" @@@ x /* never');
    expect(diagnostics.map((d) => [d.code, d.span.line, d.span.col])).toEqual([
      ['intent/unterminated-string', 1, 1],
      ['intent/bad-escape', 2, 5],
      ['intent/unexpected-character', 2, 9],
      ['intent/unterminated-comment', 2, 15],
    ]);
    expect(tokens.at(-1)?.kind).toBe('eof');
    expect(tokens.some((t) => t.kind === 'ident' && t.text === 'x')).toBe(true);
  });

  it('suggests the fix for common habits from other languages', () => {
    expect(lex("a: 'x'").diagnostics[0]?.hint).toBe('strings use double quotes');
    expect(lex('a = 1').diagnostics[0]?.hint).toBe('keys and values are separated by ":"');
  });
});
