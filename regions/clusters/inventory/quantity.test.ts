import { describe, expect, it } from 'vitest';
import { quantityReader, readQuantity } from './quantity.js';

const BIG = 10n ** 30n;
const cpu = (q: unknown) => readQuantity(q, 'cpu', BIG);
const memory = (q: unknown) => readQuantity(q, 'memory', BIG);
const value = (r: ReturnType<typeof cpu>) => (r.ok ? r.value : r.problem);

describe('readQuantity', () => {
  it('reads cpu in millicores, rounding up as the scheduler does', () => {
    expect(value(cpu('250m'))).toBe(250n);
    expect(value(cpu('1'))).toBe(1000n);
    expect(value(cpu('0.5'))).toBe(500n);
    expect(value(cpu('.5'))).toBe(500n);
    expect(value(cpu('2.'))).toBe(2000n);
    expect(value(cpu('0.1'))).toBe(100n);
    expect(value(cpu('2k'))).toBe(2_000_000n);
    expect(value(cpu('100u'))).toBe(1n);
    expect(value(cpu('1n'))).toBe(1n);
    expect(value(cpu('1e3'))).toBe(1_000_000n);
    expect(value(cpu('+3'))).toBe(3000n);
    expect(value(cpu(2))).toBe(2000n);
    expect(value(cpu(0.25))).toBe(250n);
    expect(value(cpu('0'))).toBe(0n);
    expect(value(cpu('-0'))).toBe(0n);
  });

  it('reads memory in bytes with binary, decimal and exponent suffixes', () => {
    expect(value(memory('128Mi'))).toBe(128n * 2n ** 20n);
    expect(value(memory('1Gi'))).toBe(2n ** 30n);
    expect(value(memory('1.5Gi'))).toBe(3n * 2n ** 29n);
    expect(value(memory('1G'))).toBe(10n ** 9n);
    expect(value(memory('500M'))).toBe(500n * 10n ** 6n);
    expect(value(memory('1e9'))).toBe(10n ** 9n);
    expect(value(memory('1E9'))).toBe(10n ** 9n);
    expect(value(memory('1E'))).toBe(10n ** 18n);
    expect(value(memory('64Ki'))).toBe(65536n);
    expect(value(memory('1Ti'))).toBe(2n ** 40n);
    expect(value(memory('0.5'))).toBe(1n);
    expect(value(memory('1000m'))).toBe(1n);
  });

  it('refuses what Kubernetes refuses, and what is negative', () => {
    for (const bad of [
      'lots',
      '',
      ' 1',
      '1 ',
      '1K',
      '1gi',
      '1Mb',
      '1.2.3',
      'e9',
      '1e',
      '1e1.5',
      '0x10',
      'Infinity',
      'NaN',
      '١',
    ]) {
      expect(value(cpu(bad)), bad).toBe('not-a-quantity');
    }
    for (const bad of [NaN, Infinity, -Infinity, null, true, {}, [], undefined]) {
      expect(value(cpu(bad)), JSON.stringify(bad) ?? 'undefined').toBe('not-a-quantity');
    }
    expect(value(cpu('-1'))).toBe('negative');
    expect(value(memory('-128Mi'))).toBe('negative');
    expect(value(cpu(-2))).toBe('negative');
  });

  it('refuses absurd sizes without computing them, and overlong text', () => {
    expect(value(readQuantity('10001', 'cpu', 10_000_000n))).toBe('too-large');
    expect(value(readQuantity('10000', 'cpu', 10_000_000n))).toBe(10_000_000n);
    expect(value(memory('1e999999999'))).toBe('too-large');
    expect(value(memory(`1${'0'.repeat(60)}`))).toBe('too-large');
    expect(value(memory('1'.repeat(65)))).toBe('not-a-quantity');
    expect(value(cpu('1e-999999999'))).toBe(1n);
  });
});

describe('quantityReader', () => {
  it('reads every text as readQuantity does, the first time and the next, past its memory', () => {
    const read = quantityReader('memory', 2n ** 40n);
    const texts: unknown[] = ['512Mi', '1Gi', '2Ti', 'lots', '-1', 7, null, '1e3'];
    for (let i = 0; i < 5000; i++) texts.push(`${i}Ki`);
    for (const round of [1, 2])
      for (const t of texts) expect([round, t, read(t)]).toEqual([round, t, readQuantity(t, 'memory', 2n ** 40n)]);
  });
});
