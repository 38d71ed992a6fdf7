import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../scheduler/intent/index.js';
import { notEnforced } from '../scheduler/intent/not-enforced.js';

// Valid intent files to mutate: every example the project ships.
const EXAMPLES_DIR = 'regions/examples/intents';
const examples = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.intent'))
  .map((f) => readFileSync(join(EXAMPLES_DIR, f), 'utf8'));

// Fragments of the language and of likely mistakes, so random input reaches deep into the parser.
const FRAGMENTS = [
  'intent',
  '"x"',
  '"secure-gateway-mesh"',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  ',',
  '!',
  '&&',
  '||',
  ';',
  '=',
  'constraint',
  'network_latency',
  'compliance',
  'residency',
  'carbon',
  'circuit_breaker',
  'max',
  'to',
  'level',
  'audit',
  'true',
  'false',
  '15ms',
  '15',
  '10%',
  '300gCO2eq/kWh',
  '2.5h',
  '1e9',
  'target',
  'nodes',
  'ensure',
  'on_drift',
  'workloads',
  'depends_on',
  'placement',
  'flexible',
  'validate_state',
  'assert',
  'has_cyclic_dependencies',
  'current_mesh',
  '\n',
  ' ',
  '\t',
  '\r\n',
  '//',
  '/*',
  '*/',
  '"',
  '\\',
  '\\u{',
  '\u0000',
  '\ufeff',
  'é',
  '😀',
  "'",
];

const tokenSoup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 200 }).map((parts) => parts.join(''));
const anyText = fc.string({ unit: 'binary', maxLength: 400 });

type Mutation = { at: number; kind: 'delete' | 'insert' | 'duplicate' | 'truncate'; len: number; text: string };
const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>('delete', 'insert', 'duplicate', 'truncate'),
  len: fc.integer({ min: 1, max: 40 }),
  text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 5 })),
});
const mutated = fc
  .record({ base: fc.constantFrom(...examples), edits: fc.array(mutation, { minLength: 1, maxLength: 6 }) })
  .map(({ base, edits }) => edits.reduce(apply, base));

function apply(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.len);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'duplicate':
      return text.slice(0, at) + text.slice(at, at + m.len) + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
  }
}

describe('intent parser under random and mutated input', () => {
  it('never throws, always terminates, and locates every error inside the file (10,000 inputs)', () => {
    expect(examples.length).toBeGreaterThan(3);
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: mutated, weight: 5 },
          { arbitrary: tokenSoup, weight: 3 },
          { arbitrary: anyText, weight: 2 },
        ),
        (text) => {
          const source = new SourceFile('fuzz.intent', text);
          const { intents, diagnostics } = loadIntentSource(source);
          for (const d of diagnostics) {
            expect(d.code).toMatch(/^intent\/[a-z-]+$/);
            expect(d.message.length).toBeGreaterThan(0);
            expect(d.span.file).toBe('fuzz.intent');
            expect(d.span.start).toBeGreaterThanOrEqual(0);
            expect(d.span.start).toBeLessThanOrEqual(text.length);
            expect(d.span.line).toBeGreaterThanOrEqual(1);
            expect(d.span.line).toBeLessThanOrEqual(source.lineCount);
            expect(d.span.col).toBeGreaterThanOrEqual(1);
          }
          if (!diagnostics.some((d) => d.severity === 'error')) expect(intents.length).toBeGreaterThan(0);
          // Whatever was accepted, a construct nothing enforces is a warning inside the file.
          for (const d of notEnforced(intents, () => source)) {
            expect([d.code, d.severity]).toEqual(['intent/not-enforced', 'warning']);
            expect(d.span.file).toBe('fuzz.intent');
            expect(d.span.end).toBeLessThanOrEqual(text.length);
            expect(d.span.end).toBeGreaterThan(d.span.start);
            expect(text.slice(d.span.start, d.span.end)).toMatch(/^(interval|ensure|on_drift)\b/);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
