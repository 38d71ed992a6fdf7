import { describe, expect, it } from 'vitest';
import { SourceFile } from '../diagnostics/source-file.js';
import { loadIntentSource } from '../intent/index.js';
import { coverage, effectivePlacement } from './coverage.js';
import type { Workload } from '../inventory/model.js';
import { workloadMatcher } from '../inventory/pattern.js';

const span = new SourceFile('inv', '').span(0);
const w = (name: string, intent?: string): Workload => ({
  name,
  region: 'r',
  cpu: 1,
  memoryGib: 1,
  dependsOn: [],
  span,
  ...(intent ? { intent } : {}),
});

describe('workloadMatcher', () => {
  it('matches exact names and * globs, treating other characters literally', () => {
    expect(workloadMatcher('batch/*')('batch/etl-1')).toBe(true);
    expect(workloadMatcher('batch/*')('batchy/etl-1')).toBe(false);
    expect(workloadMatcher('*/db')('pay/db')).toBe(true);
    expect(workloadMatcher('a/b.c')('a/bxc')).toBe(false);
    expect(workloadMatcher('a/b')('a/b')).toBe(true);
  });
});

describe('coverage', () => {
  const { intents } = loadIntentSource(
    new SourceFile(
      'i.intent',
      `intent "batch" {\n  workloads("batch/*")\n  placement(flexible)\n}\nintent "ledger" {\n  workloads("batch/ledger-export")\n}\nintent "named" {\n  placement(flexible)\n}\n`,
    ),
  );
  const cover = coverage(intents, [w('batch/etl'), w('batch/ledger-export'), w('web/x', 'named'), w('legacy/cron')]);
  const names = (n: string) => cover.get(n)!.map((i) => i.name);

  it('combines the intent a workload names with every intent whose patterns select it', () => {
    expect(names('batch/etl')).toEqual(['batch']);
    expect(names('batch/ledger-export')).toEqual(['batch', 'ledger']);
    expect(names('web/x')).toEqual(['named']);
    expect(names('legacy/cron')).toEqual([]);
  });

  it('lets a workload move only when every covering intent is flexible', () => {
    expect(effectivePlacement(cover.get('batch/etl')!)).toBe('flexible');
    expect(effectivePlacement(cover.get('batch/ledger-export')!)).toBe('critical');
    expect(effectivePlacement(cover.get('legacy/cron')!)).toBe('critical');
  });
});
