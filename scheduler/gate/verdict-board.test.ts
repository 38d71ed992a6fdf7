import { describe, expect, it } from 'vitest';
import { VerdictBoard, type BoardEntry } from './verdict-board.js';

const v = (state: 'holds' | 'violated' | 'unknown', key = 'a>b@i#c') => ({
  key,
  workload: 'ns/a',
  state,
  reason: state,
});

describe('VerdictBoard', () => {
  it('keeps verdicts by region and check, stamped with the time they arrived', () => {
    const board = new VerdictBoard((n) => (n.startsWith('fi-') ? 'finland' : 'osaka'));
    board.report('fi-1', [v('holds')], 1_000);
    board.report('os-1', [v('violated')], 2_000);
    expect(board.history('finland', 'a>b@i#c', 0).map((e) => [e.node, e.state, e.receivedAt])).toEqual([
      ['fi-1', 'holds', 1_000],
    ]);
    expect(board.history('osaka', 'a>b@i#c', 2_001)).toEqual([]);
    expect(board.history('osaka', 'other', 0)).toEqual([]);
  });

  it('bounds what it keeps: by age and by count per check', () => {
    const board = new VerdictBoard(() => 'r', { retentionMs: 10_000, perKey: 3 });
    for (let t = 0; t <= 20_000; t += 1_000) board.report('n', [v('holds')], t);
    expect(board.history('r', 'a>b@i#c', 0).map((e) => e.receivedAt)).toEqual([18_000, 19_000, 20_000]);
    const aged = new VerdictBoard(() => 'r', { retentionMs: 5_000, perKey: 100 });
    aged.report('n', [v('holds')], 0);
    aged.report('n', [v('holds')], 6_000);
    expect(aged.history('r', 'a>b@i#c', 0).map((e) => e.receivedAt)).toEqual([6_000]);
  });

  it('tells listeners of every verdict it takes, until they stop listening', () => {
    const board = new VerdictBoard(() => 'r');
    const heard: BoardEntry[] = [];
    const stop = board.listen((e) => heard.push(e));
    board.report('n', [v('holds'), v('violated')], 1);
    stop();
    board.report('n', [v('unknown')], 2);
    expect(heard.map((e) => e.state)).toEqual(['holds', 'violated']);
  });
});
