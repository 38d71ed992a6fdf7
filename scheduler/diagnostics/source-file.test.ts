import { describe, expect, it } from 'vitest';
import { SourceFile } from './source-file.js';

describe('SourceFile', () => {
  it('maps offsets to 1-based line and column across LF, CRLF and CR line breaks', () => {
    const s = new SourceFile('f', 'ab\ncd\r\nef\rgh');
    expect(s.position(0)).toEqual({ line: 1, col: 1 });
    expect(s.position(3)).toEqual({ line: 2, col: 1 });
    expect(s.position(4)).toEqual({ line: 2, col: 2 });
    expect(s.position(7)).toEqual({ line: 3, col: 1 });
    expect(s.position(10)).toEqual({ line: 4, col: 1 });
    expect(s.lineCount).toBe(4);
    expect(s.lineText(2)).toBe('cd');
    expect(s.lineText(3)).toBe('ef');
    expect(s.lineText(9)).toBe('');
  });

  it('clamps offsets past the end to the last position', () => {
    const s = new SourceFile('f', 'abc');
    expect(s.position(99)).toEqual({ line: 1, col: 4 });
    expect(s.span(1, 2)).toEqual({ file: 'f', start: 1, end: 2, line: 1, col: 2 });
  });
});
