import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean } from './suggest.js';

describe('closestMatch', () => {
  const keys = ['max', 'to', 'verify_via', 'percentile'];
  it('finds typos, transpositions and case or dash differences', () => {
    expect(closestMatch('maxx', keys)).toBe('max');
    expect(closestMatch('verfiy_via', keys)).toBe('verify_via');
    expect(closestMatch('Verify-Via', keys)).toBe('verify_via');
    expect(closestMatch('percentil', keys)).toBe('percentile');
  });
  it('suggests nothing for words that are not near any candidate', () => {
    expect(closestMatch('bandwidth', keys)).toBeUndefined();
    expect(closestMatch('', keys)).toBeUndefined();
    expect(didYouMean('zzz', keys)).toBeUndefined();
  });
  it('judges only the part that differs, and completes fragments of longer names', () => {
    const regions = ['region-tokyo-01', 'region-osaka-01', 'region-seoul-01'];
    expect(closestMatch('region-seoul-02', regions)).toBe('region-seoul-01');
    expect(closestMatch('region-busan-01', regions)).toBeUndefined();
    expect(closestMatch('region-tokio-01', regions)).toBe('region-tokyo-01');
    expect(closestMatch('ebpf', ['ebpf_probe', 'latency_matrix'])).toBe('ebpf_probe');
    expect(closestMatch('remediate', ['auto-remediate', 'rollback', 'alert'])).toBe('auto-remediate');
  });

  it('phrases the suggestion', () => {
    expect(didYouMean('capactiy', ['capacity', 'cluster'])).toBe('did you mean "capacity"?');
  });
});
