/** Checks that cores point at real lines of the generated inputs (see random-fleet.ts, random-snapshot.ts). */
import { expect } from 'vitest';
import type { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import type { ConstraintRef } from '../../scheduler/verify/proof.js';

/** Every core entry points at a real line of a real input file, and that line says it. */
export function expectRealLines(sources: ReadonlyMap<string, SourceFile>, core: readonly ConstraintRef[]): void {
  for (const ref of core) {
    const source = sources.get(ref.span.file);
    expect(source, `core entry ${ref.id} points at unknown file ${ref.span.file}`).toBeDefined();
    expect(ref.span.line).toBeGreaterThanOrEqual(1);
    expect(ref.span.line).toBeLessThanOrEqual(source!.lineCount);
    const line = source!.lineText(ref.span.line);
    const says: Partial<Record<ConstraintRef['kind'], string>> = {
      compliance: 'constraint compliance',
      residency: 'constraint residency',
      target: 'target nodes',
      latency: 'network_latency',
      'depends-on': 'depends_on',
      'region-lost': 'name: r',
      assertion: 'assert!',
    };
    if (ref.kind === 'capacity')
      expect(line, `${ref.id} at ${ref.span.file}:${ref.span.line}`).toContain(
        `name: ${ref.id.slice('capacity:'.length)},`,
      );
    else if (ref.kind === 'located' || ref.kind === 'planned')
      expect(line, `${ref.id} at ${ref.span.file}:${ref.span.line}`).toMatch(/^ {2}- \{ name: ns\d\/w\d+,/);
    else {
      expect(says[ref.kind], `no check for core entries of kind ${ref.kind}`).toBeDefined();
      expect(line, `${ref.id} at ${ref.span.file}:${ref.span.line}`).toContain(says[ref.kind]!);
    }
  }
}
