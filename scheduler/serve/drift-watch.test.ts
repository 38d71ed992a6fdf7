import { describe, expect, it } from 'vitest';
import type { MigrationRow } from '../../db/migration-journal.js';
import type { Intent } from '../intent/model.js';
import { driftResponse, intentOfKey } from './drift-watch.js';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 11, 4, 12);
const move = (state: string, to: string, hoursAgo: number) =>
  ({
    id: 7,
    runId: 3,
    workload: 'api/feed',
    fromRegion: 'madrid',
    toRegion: to,
    state,
    updatedAt: new Date(now - hoursAgo * HOUR),
  }) as unknown as MigrationRow;
const intent = (action?: string) => ({ name: 'feed', onDrift: action ? { action } : undefined }) as unknown as Intent;

describe('intentOfKey', () => {
  it('reads the intent out of a check key, and nothing out of a key without one', () => {
    expect(intentOfKey('api/feed>api/db@feed#0')).toBe('feed');
    expect(intentOfKey('a>b@with@at#12')).toBe('at');
    expect(intentOfKey('no-intent-here')).toBeUndefined();
    expect(intentOfKey('a#0@b')).toBeUndefined();
  });
});

describe('driftResponse', () => {
  it('alerts without on_drift, and for alert', () => {
    expect(driftResponse(undefined, move('done', 'oslo', 1), 'oslo', 6 * HOUR, now)).toEqual({ action: 'alert' });
    expect(driftResponse(intent(), move('done', 'oslo', 1), 'oslo', 6 * HOUR, now)).toEqual({ action: 'alert' });
    expect(driftResponse(intent('alert'), move('done', 'oslo', 1), 'oslo', 6 * HOUR, now)).toEqual({ action: 'alert' });
  });
  it('undoes a done move into the drifting region within the cooldown, for auto-remediate and rollback', () => {
    for (const action of ['auto-remediate', 'rollback']) {
      const last = move('done', 'oslo', 1);
      expect(driftResponse(intent(action), last, 'oslo', 6 * HOUR, now)).toEqual({ action, undo: last });
    }
  });
  it('has nothing deterministic to undo otherwise: an old move, another region, a move not done, none', () => {
    const r = (m: MigrationRow | undefined, region = 'oslo') =>
      driftResponse(intent('auto-remediate'), m, region, 6 * HOUR, now);
    expect(r(move('done', 'oslo', 7))).toEqual({ action: 'auto-remediate' });
    expect(r(move('done', 'oslo', 1), 'madrid')).toEqual({ action: 'auto-remediate' });
    expect(r(move('rolled-back', 'oslo', 1))).toEqual({ action: 'auto-remediate' });
    expect(r(undefined)).toEqual({ action: 'auto-remediate' });
  });
});
