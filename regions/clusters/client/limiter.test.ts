import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  it('never has more than its limit in flight, newcomers included, and runs every task once', async () => {
    const limiter = new Limiter(3);
    let peak = 0;
    const ran: number[] = [];
    const task = (i: number) => async () => {
      peak = Math.max(peak, limiter.inFlight);
      for (let k = 0; k < (i % 4) + 1; k++) await tick();
      ran.push(i);
      return i;
    };
    const first = Array.from({ length: 10 }, (_, i) => limiter.run(task(i)));
    await tick();
    // Newcomers while slots are being handed over.
    const later = Array.from({ length: 10 }, (_, i) => limiter.run(task(10 + i)));
    expect(await Promise.all([...first, ...later])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.inFlight).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(() => Promise.resolve(7))).toBe(7);
    expect(limiter.inFlight).toBe(0);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new Limiter(1.5)).toThrow(RangeError);
  });
});
