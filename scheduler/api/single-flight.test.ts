import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('shares one read among callers that ask while it runs, and reads again afterwards', async () => {
    const flight = new SingleFlight<number>();
    let reads = 0;
    const read = () => new Promise<number>((r) => setTimeout(() => r(++reads), 20));
    const together = await Promise.all([flight.do('a', read), flight.do('a', read), flight.do('a', read)]);
    expect(together).toEqual([1, 1, 1]);
    expect(await flight.do('b', read)).toBe(2);
    expect(await flight.do('a', read)).toBe(3);
  });

  it('keeps an answer for freshForMs after it settled, never longer', async () => {
    let t = 0;
    const flight = new SingleFlight<number>(1000, () => t);
    let reads = 0;
    const read = () => Promise.resolve(++reads);
    expect(await flight.do('a', read)).toBe(1);
    t = 999;
    expect(await flight.do('a', read)).toBe(1);
    t = 1000;
    expect(await flight.do('a', read)).toBe(2);
  });

  it('lets a failed read fail every caller of it, and the next caller read again', async () => {
    const flight = new SingleFlight<number>(60_000);
    const failing = () => Promise.reject(new Error('store gone'));
    await expect(Promise.all([flight.do('a', failing), flight.do('a', failing)])).rejects.toThrow('store gone');
    await new Promise((r) => setTimeout(r, 0));
    expect(await flight.do('a', () => Promise.resolve(7))).toBe(7);
  });
});
