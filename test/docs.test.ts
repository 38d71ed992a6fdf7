import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONSTRAINTS,
  DRIFT_ACTIONS,
  MESHES,
  PERCENTILES,
  PLACEMENTS,
  PREDICATES,
  STATEMENTS,
  TARGET_SELECTORS,
  TRAFFIC_POLICIES,
  VERIFY_METHODS,
} from '../scheduler/intent/catalogue.js';
import { renderDiagnostic } from '../scheduler/diagnostics/render.js';
import { SourceFile } from '../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../scheduler/intent/index.js';
import { notEnforced } from '../scheduler/intent/not-enforced.js';

const doc = readFileSync('docs/intent-language.md', 'utf8');
const readme = readFileSync('README.md', 'utf8');

describe('docs match the code', () => {
  it('docs/intent-language.md documents every name the intent checker knows', () => {
    const names = [
      ...Object.keys(CONSTRAINTS),
      ...Object.values(CONSTRAINTS).flatMap((c) => Object.keys(c.keys)),
      ...Object.keys(STATEMENTS),
      ...Object.values(STATEMENTS).flatMap((s) => Object.keys(s.named ?? {})),
      ...Object.keys(TARGET_SELECTORS),
      ...DRIFT_ACTIONS,
      ...MESHES,
      ...PERCENTILES,
      ...PLACEMENTS,
      ...PREDICATES,
      ...TRAFFIC_POLICIES,
      ...VERIFY_METHODS,
    ];
    const missing = names.filter((n) => !doc.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('docs/intent-language.md lists every intent diagnostic code the code can emit', () => {
    const sources =
      ['lexer', 'parser', 'checker', 'values', 'not-enforced']
        .map((f) => readFileSync(`scheduler/intent/${f}.ts`, 'utf8'))
        .join('\n') + readFileSync('scheduler/workspace/cross-check.ts', 'utf8');
    const codes = [...new Set([...sources.matchAll(/'(intent\/[a-z-]+)'/g)].map((m) => m[1]!))];
    expect(codes.length).toBeGreaterThan(20);
    expect(codes.filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });

  it('docs/intent-language.md §4.11 quotes the not-enforced warning as shisa renders it', () => {
    const file = 'regions/examples/intents/payments.intent';
    const source = new SourceFile(file, readFileSync(file, 'utf8'));
    const warnings = notEnforced(loadIntentSource(source).intents, () => source);
    const interval = warnings.find((d) => d.message.startsWith('circuit_breaker interval'));
    expect(interval).toBeDefined();
    expect(doc).toContain('```\n' + renderDiagnostic(interval!) + '\n```');
    for (const construct of ['`circuit_breaker { interval: … }`', '`ensure(traffic_policy: …)`', '`on_drift(action: …'])
      expect(doc).toContain(`| ${construct}`);
  });

  it('the README shows the seed intent and names every CLI command', () => {
    expect(readme).toContain('assert!(!has_cyclic_dependencies(current_mesh))');
    for (const cmd of [
      'shisa validate',
      'shisa plan',
      'shisa carbon',
      'shisa schema',
      'shisa verify',
      'shisa history',
      'shisa audit verify',
      'shisa enforcer',
    ])
      expect(readme).toContain(cmd);
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('docs/enforcer.md documents every op and error code of the loader', () => {
    const loader = readFileSync('bpf/loader.c', 'utf8');
    const enforcerDoc = readFileSync('docs/enforcer.md', 'utf8');
    const ops = [...loader.matchAll(/!strcmp\(op, "([a-z_]+)"\)/g)].map((m) => m[1]!);
    const codes = [
      ...new Set([...loader.matchAll(/(?:reply_error\([^,]+|fatal\()\s*,?\s*"([A-Z0-9_]+)"/g)].map((m) => m[1]!)),
    ];
    expect(ops.length).toBeGreaterThan(8);
    expect(codes.length).toBeGreaterThan(8);
    expect(ops.filter((op) => !enforcerDoc.includes(`| \`${op}\` |`))).toEqual([]);
    expect(codes.filter((c) => !enforcerDoc.includes(`\`${c}\``))).toEqual([]);
  });
});
