import { describe, expect, it } from 'vitest';
import { diagnostic } from './diagnostic.js';
import { renderDiagnostic } from './render.js';
import { SourceFile } from './source-file.js';

describe('renderDiagnostic', () => {
  it('quotes the line with a caret under the span, then expected and help', () => {
    const s = new SourceFile('a.intent', 'intent "x" {\n  constraint network_latency { maxx: 15ms }\n}\n');
    const start = s.text.indexOf('maxx');
    const text = renderDiagnostic(
      diagnostic({
        code: 'intent/unknown-key',
        message: 'unknown key "maxx"',
        span: s.span(start, start + 4),
        source: s,
        expected: 'one of max',
        hint: 'did you mean "max"?',
      }),
    );
    expect(text).toBe(
      [
        'a.intent:2:32: error[intent/unknown-key]: unknown key "maxx"',
        ' 2 |   constraint network_latency { maxx: 15ms }',
        '   |                                ^^^^',
        '   = expected: one of max',
        '   = help: did you mean "max"?',
      ].join('\n'),
    );
  });

  it('shows a window of a very long line, keeping the caret on the offending text', () => {
    const line = 'x'.repeat(5000) + 'BAD' + 'y'.repeat(5000);
    const s = new SourceFile('big', line);
    const text = renderDiagnostic(diagnostic({ code: 'c/d', message: 'm', span: s.span(5000, 5003), source: s }));
    const [, quoted, caret] = text.split('\n');
    expect(quoted!.length).toBeLessThan(140);
    expect(quoted!.slice(caret!.indexOf('^'), caret!.indexOf('^') + 3)).toBe('BAD');
  });

  it('replaces control characters so the terminal and the caret stay intact', () => {
    const s = new SourceFile('b', 'a\u0000\tb');
    const text = renderDiagnostic(diagnostic({ code: 'c/d', message: 'm', span: s.span(3, 4), source: s }));
    expect(text).toContain(' 1 | a\u00b7 b');
    expect(text.split('\n')[2]).toBe('   |    ^');
  });
});
