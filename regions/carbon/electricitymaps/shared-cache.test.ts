import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './http-get.js';
import { SharedCache } from './shared-cache.js';

describe('SharedCache', () => {
  it('shares one in-flight load among concurrent callers and keeps it for the TTL', async () => {
    let t = 0;
    let loads = 0;
    const cache = new SharedCache<string>(
      1000,
      () => t,
      () => true,
    );
    const load = () => Promise.resolve(`v${++loads}`);
    const answers = await Promise.all(Array.from({ length: 100 }, () => cache.get('k', load)));
    expect(new Set(answers)).toEqual(new Set(['v1']));
    t = 999;
    expect(await cache.get('k', load)).toBe('v1');
    t = 1000;
    expect(await cache.get('k', load)).toBe('v2');
  });

  it('does not keep answers it is told not to keep, nor rejections', async () => {
    let loads = 0;
    const cache = new SharedCache<string>(
      1000,
      () => 0,
      (v) => v !== 'bad',
    );
    expect(await cache.get('k', () => Promise.resolve((++loads, 'bad')))).toBe('bad');
    expect(await cache.get('k', () => Promise.resolve((++loads, 'good')))).toBe('good');
    await expect(cache.get('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('x', () => Promise.resolve('ok'))).toBe('ok');
    expect(loads).toBe(2);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
