import { describe, expect, it } from 'vitest';
import { NodeDirectory } from './node-directory.js';

const p = (region: string, node: string, workloads: string[] = []) => ({ region, node, workloads });

describe('NodeDirectory', () => {
  it('places a node in the region whose cluster has it, and says why it cannot', () => {
    const d = new NodeDirectory();
    expect(d.describe('n1')).toBe('no cluster has been read yet');
    d.update([p('oslo', 'n1', ['api/web']), p('madrid', 'n2')], new Set(['oslo', 'madrid']), 1);
    expect(d.regionOf('n1')).toBe('oslo');
    expect(d.describe('n1')).toEqual({ node: 'n1', region: 'oslo', workloads: ['api/web'] });
    expect(d.regionOf('n9')).toBeUndefined();
    expect(d.describe('n9')).toMatch(/in no region's cluster/);
  });
  it('refuses a node name two regions report: its verdicts could speak for the wrong one', () => {
    const d = new NodeDirectory();
    d.update([p('oslo', 'same'), p('madrid', 'same')], new Set(['oslo', 'madrid']), 1);
    expect(d.regionOf('same')).toBeUndefined();
    expect(d.describe('same')).toMatch(/more than one region/);
  });
  it('keeps what a region said while it cannot be read, and forgets a node its region no longer has', () => {
    const d = new NodeDirectory();
    d.update([p('oslo', 'o1'), p('madrid', 'm1')], new Set(['oslo', 'madrid']), 1);
    d.update([p('oslo', 'o2')], new Set(['oslo']), 2); // madrid unreadable now
    expect(d.regionOf('m1')).toBe('madrid');
    expect(d.regionOf('o1')).toBeUndefined();
    expect(d.regionOf('o2')).toBe('oslo');
  });
});
