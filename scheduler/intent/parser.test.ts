import { describe, expect, it } from 'vitest';
import { SourceFile } from '../diagnostics/source-file.js';
import { MAX_ERRORS_PER_FILE, parseIntentFile } from './parser.js';

const parse = (text: string) => parseIntentFile(new SourceFile('t.intent', text));
const codes = (text: string) => parse(text).diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code}`);

describe('parseIntentFile', () => {
  it('parses constraints, targets, statements with positional and named args, and assertions', () => {
    const { ast, diagnostics } = parse(`intent "a" {
  workloads("x/*", "y/z")
  constraint network_latency { max: 15ms, to: ["d/b"],
    verify_via: ebpf_probe }
  target nodes("r1") {
    on_drift(action: "alert")
  }
  validate_state() {
    assert!(!(p(current_mesh) || q(planned_mesh)) && true)
  }
}`);
    expect(diagnostics).toEqual([]);
    const intent = ast.intents[0]!;
    expect(intent.name.value).toBe('a');
    expect(intent.items.map((i) => i.kind)).toEqual(['call', 'constraint', 'target', 'validate']);
    const c = intent.items[1];
    expect(c?.kind === 'constraint' && c.entries.map((e) => e.key.name)).toEqual(['max', 'to', 'verify_via']);
    const v = intent.items[3];
    expect(v?.kind === 'validate' && v.assertions[0]?.expr.kind).toBe('and');
  });

  it('reports every syntax error in a file, resynchronising at the next item', () => {
    expect(
      codes(`intent "a" {
  constraint network_latency { max 15ms }
  constraint compliance { level: "X", }
  target nodes("r1" {
    ensure(traffic_policy: "mTLS-strict")
  }
  workloads("a/b") on_drift(action: "alert")
}
intent "b" {
  constraint carbon { min_saving: }
}`),
    ).toEqual([
      '2:36 intent/expected-token',
      '4:21 intent/expected-separator',
      '7:20 intent/expected-newline',
      '10:35 intent/expected-value',
    ]);
  });

  it('keeps the items of an intent whose closing brace is missing', () => {
    const { ast, diagnostics } = parse('intent "a" {\n  placement(flexible)\nintent "b" {\n}\n');
    expect(ast.intents.map((i) => [i.name.value, i.items.length])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    expect(diagnostics.map((d) => d.code)).toEqual(['intent/unclosed-block']);
  });

  it('refuses an empty file and text that is not an intent', () => {
    expect(codes('// nothing here\n')).toEqual(['1:1 intent/empty-file']);
    expect(codes('resource "x" {}')).toEqual(['1:1 intent/expected-intent']);
  });

  it('limits nesting depth instead of overflowing the stack', () => {
    const deep = `intent "a" { validate_state() { assert!(${'!('.repeat(10_000)}x) } }`;
    expect(parse(deep).diagnostics.map((d) => d.code)).toContain('intent/too-deep');
  });

  it(`stops after ${MAX_ERRORS_PER_FILE} errors and says so`, () => {
    const { diagnostics } = parse('@\n'.repeat(500));
    expect(diagnostics).toHaveLength(MAX_ERRORS_PER_FILE + 1);
    expect(diagnostics.at(-1)?.code).toBe('intent/too-many-errors');
  });
});
