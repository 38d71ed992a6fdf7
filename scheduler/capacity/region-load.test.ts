import { describe, expect, it } from 'vitest';
import { RegionLoad } from './region-load.js';

describe('RegionLoad', () => {
  const load = () =>
    new RegionLoad([
      { cpu: 4, memoryGib: 8 },
      { cpu: 1, memoryGib: 1 },
    ]);

  it('fits what leaves room on both resources, up to the capacity exactly', () => {
    const l = load();
    l.add(0, { cpu: 3, memoryGib: 2 });
    expect(l.fits(0, { cpu: 1, memoryGib: 6 })).toBe(true);
    expect(l.fits(0, { cpu: 1.5, memoryGib: 1 })).toBe(false);
    expect(l.fits(0, { cpu: 0.5, memoryGib: 7 })).toBe(false);
    expect(l.fits(2, { cpu: 0, memoryGib: 0 })).toBe(false);
  });

  it('absorbs decimal rounding but not a real excess', () => {
    const l = load();
    for (let i = 0; i < 10; i++) l.add(1, { cpu: 0.1, memoryGib: 0.1 });
    expect(l.overflow(1)).toBeUndefined();
    l.add(1, { cpu: 1e-6, memoryGib: 0 });
    expect(l.overflow(1)).toMatchObject({ resource: 'cpu', capacity: 1 });
  });

  it('removes what it added; a clone changes apart from the original', () => {
    const l = load();
    l.add(0, { cpu: 4, memoryGib: 8 });
    const c = l.clone();
    c.remove(0, { cpu: 4, memoryGib: 8 });
    expect(c.fits(0, { cpu: 4, memoryGib: 8 })).toBe(true);
    expect(l.fits(0, { cpu: 0.1, memoryGib: 0 })).toBe(false);
  });
});
