import { describe, expect, it } from 'vitest';
import type { ExceptionRow } from '../../db/record-run.js';
import { exceptionInput } from './exception-input.js';
import { exceptionMessage } from './slack-message.js';

const AT = new Date('2026-12-03T12:00:00Z');
const row = (kind: string, concerns: string, detail: unknown, runId: number | null = 4): ExceptionRow => ({
  id: 1,
  runId,
  kind,
  concerns,
  detail,
  createdAt: AT,
  notifiedAt: null,
  episodeOf: null,
  resolvedAt: null,
});

describe('exceptionInput', () => {
  it('reads each kind of stored exception as its message wants it', () => {
    expect(
      exceptionInput(
        row('unprovable', 'residency of batch/etl', { core: [{ text: 'stays in JP', file: 'a.intent', line: 3 }] }),
      ),
    ).toEqual({
      kind: 'unprovable',
      atIso: '2026-12-03T12:00:00.000Z',
      runId: 4,
      obligation: 'residency of batch/etl',
      conflicts: [{ constraint: 'stays in JP', file: 'a.intent', line: 3 }],
    });
    expect(
      exceptionInput(row('unreachable-cluster', 'region-osaka-01', { cluster: 'gke-osaka-01', reason: 'refused' })),
    ).toMatchObject({
      kind: 'unreachable-cluster',
      region: 'region-osaka-01',
      cluster: 'gke-osaka-01',
      reason: 'refused',
    });
    expect(
      exceptionInput(
        row('config-rejected', 'fleet.yaml', { file: 'fleet.yaml', line: 3, col: 7, message: 'bad' }, null),
      ),
    ).toEqual({
      kind: 'config-rejected',
      atIso: AT.toISOString(),
      file: 'fleet.yaml',
      line: 3,
      col: 7,
      message: 'bad',
    });
    expect(
      exceptionInput(
        row('rollback', 'batch/etl', {
          from: 'a',
          to: 'b',
          reason: 'verification fail',
          deleted: ['Deployment batch/etl', 7],
          evidence: { samples: 10, p99Ms: 80, boundMs: 50 },
        }),
      ),
    ).toMatchObject({
      kind: 'rollback',
      workload: 'batch/etl',
      deleted: ['Deployment batch/etl'],
      evidence: { samples: 10, p99Ms: 80, boundMs: 50 },
    });
    expect(
      exceptionInput(row('drift', 'web/api', { check: 'k', region: 'r', reason: 'p99 over', action: 'alert' })),
    ).toMatchObject({ kind: 'drift', check: 'k', region: 'r', reason: 'p99 over', action: 'alert' });
  });

  it('tells an exception whose detail lacks fields (or is not an object) without failing', () => {
    for (const kind of ['unprovable', 'rollback', 'stale-feed', 'unreachable-cluster', 'breaker', 'config-rejected'])
      for (const detail of [null, 'text', [], {}]) {
        const m = exceptionMessage(exceptionInput(row(kind, 'x', detail)));
        expect(m.text.length).toBeGreaterThan(0);
        expect(JSON.stringify(m)).not.toContain('undefined');
      }
    expect(exceptionInput(row('stale-feed', 'JP-TK', {}))).toMatchObject({ zone: 'JP-TK', ageSeconds: Number.NaN });
  });
});
