import { describe, expect, it } from 'vitest';
import { MigrationSlots } from './slots.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('MigrationSlots', () => {
  it('keeps at most total and at most perCluster under way, and lets a move that fits pass one that waits', async () => {
    const slots = new MigrationSlots(3, 2);
    const busy = new Map<string, number>();
    let most = 0;
    let mostPerCluster = 0;
    const order: string[] = [];
    const release: (() => void)[] = [];
    const move = (name: string, from: string, to: string) =>
      slots.run([from, to], async () => {
        order.push(name);
        for (const c of [from, to]) busy.set(c, (busy.get(c) ?? 0) + 1);
        most = Math.max(most, slots.inFlight);
        mostPerCluster = Math.max(mostPerCluster, ...busy.values());
        await new Promise<void>((r) => release.push(r));
        for (const c of [from, to]) busy.set(c, busy.get(c)! - 1);
      });
    const all = [
      move('a', 'x', 'y'),
      move('b', 'x', 'z'),
      move('c', 'x', 'w'),
      move('d', 'y', 'v'),
      move('e', 'u', 't'),
    ];
    await tick();
    // a and b fill x; c waits for x; d fits (y has 1); e fits the total? no: a, b, d are 3.
    expect(order).toEqual(['a', 'b', 'd']);
    release.shift()!();
    await tick();
    expect(order).toEqual(['a', 'b', 'd', 'c']);
    while (release.length) {
      release.shift()!();
      await tick();
    }
    await Promise.all(all);
    expect(order.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(3);
    expect(mostPerCluster).toBe(2);
    expect(slots.inFlight).toBe(0);
  });

  it('refuses limits that are not whole numbers of at least 1', () => {
    expect(() => new MigrationSlots(0, 1)).toThrow(RangeError);
    expect(() => new MigrationSlots(2, 1.5)).toThrow(RangeError);
  });
});
