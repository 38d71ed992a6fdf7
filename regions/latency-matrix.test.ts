import { describe, expect, it } from 'vitest';
import { LatencyMatrix } from './latency-matrix.js';

describe('LatencyMatrix', () => {
  const m = new LatencyMatrix([
    ['tokyo', 'osaka', 9],
    ['tokyo', 'tokyo', 1],
  ]);
  it('is symmetric', () => {
    expect(m.get('tokyo', 'osaka')).toBe(9);
    expect(m.get('osaka', 'tokyo')).toBe(9);
  });
  it('treats a missing pair as unreachable, and a region as 0 ms from itself unless given', () => {
    expect(m.get('osaka', 'paris')).toBeUndefined();
    expect(m.reachable('osaka', 'paris')).toBe(false);
    expect(m.get('osaka', 'osaka')).toBe(0);
    expect(m.get('tokyo', 'tokyo')).toBe(1);
  });
  it('counts distinct pairs of different regions', () => {
    expect(m.pairCount).toBe(1);
  });
});
