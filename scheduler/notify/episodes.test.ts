import { describe, expect, it } from 'vitest';
import { episodeChanges } from './episodes.js';

const stale = { kind: 'stale-feed', concerns: 'JP-TK' };
const unreachable = { kind: 'unreachable-cluster', concerns: 'region-osaka-01' };
const judged = new Set(['stale-feed', 'unreachable-cluster']);

describe('episodeChanges', () => {
  it('raises an exception the first time it is seen, once even when a run sees it twice', () => {
    const c = episodeChanges([], [stale, stale, unreachable], judged);
    expect(c.raised).toEqual([stale, unreachable]);
    expect(c.resolved).toEqual([]);
  });

  it('sends nothing while it persists, and resolves it when a run that judged its kind no longer sees it', () => {
    const open = [{ id: 7, ...stale }];
    expect(episodeChanges(open, [stale], judged)).toEqual({ raised: [], resolved: [], persisting: open });
    expect(episodeChanges(open, [], judged)).toEqual({ raised: [], resolved: open, persisting: [] });
  });

  it('keeps open what this run did not judge', () => {
    const open = [{ id: 3, ...unreachable }];
    expect(episodeChanges(open, [], new Set(['stale-feed']))).toEqual({ raised: [], resolved: [], persisting: [] });
  });

  it('tells a new episode after one resolved: the same exception again is raised again', () => {
    const first = episodeChanges([], [stale], judged);
    expect(first.raised).toHaveLength(1);
    const cleared = episodeChanges([{ id: 1, ...stale }], [], judged);
    expect(cleared.resolved).toHaveLength(1);
    expect(episodeChanges([], [stale], judged).raised).toEqual([stale]);
  });

  it('tells apart the same kind about different things, and different kinds about the same thing', () => {
    const other = { kind: 'stale-feed', concerns: 'FI' };
    const sameThing = { kind: 'unreachable-cluster', concerns: 'JP-TK' };
    const c = episodeChanges([{ id: 1, ...stale }], [stale, other, sameThing], judged);
    expect(c.raised).toEqual([other, sameThing]);
    expect(c.persisting.map((p) => p.id)).toEqual([1]);
  });
});
