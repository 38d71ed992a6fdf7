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
  it('phrases the suggestion', () => {
    expect(didYouMean('capactiy', ['capacity', 'cluster'])).toBe('did you mean "capacity"?');
  });
});
