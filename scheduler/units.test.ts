import { describe, expect, it } from 'vitest';
import { formatDuration, kindOfUnit, nearUnit, splitQuantity, toBaseUnit } from './units.js';

describe('units', () => {
  it('converts durations, percentages and intensities to base units', () => {
    expect(toBaseUnit('duration', 15, 'ms')).toBe(15);
    expect(toBaseUnit('duration', 2, 'h')).toBe(7_200_000);
    expect(toBaseUnit('duration', 250, 'us')).toBe(0.25);
    expect(toBaseUnit('percent', 10, '%')).toBe(10);
    expect(toBaseUnit('intensity', 300, 'gCO2eq/kWh')).toBe(300);
  });
  it('refuses units of another kind and says which kind they are', () => {
    expect(toBaseUnit('percent', 10, 'ms')).toBeUndefined();
    expect(kindOfUnit('ms')).toBe('duration');
    expect(kindOfUnit('kg')).toBeUndefined();
  });
  it('splits quantity text', () => {
    expect(splitQuantity('2.5 h')).toEqual({ value: 2.5, unit: 'h' });
    expect(splitQuantity('15')).toEqual({ value: 15, unit: '' });
    expect(splitQuantity('fast')).toBeUndefined();
  });
  it('formats durations in the largest exact unit', () => {
    expect(formatDuration(7_200_000)).toBe('2h');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1500)).toBe('1500ms');
  });
  it('knows spelled-out units, only for the right kind of quantity', () => {
    expect(nearUnit('duration', 15, 'sec')).toBe('15s');
    expect(nearUnit('duration', 6, 'Hours')).toBe('6h');
    expect(nearUnit('percent', 10, 'percent')).toBe('10%');
    expect(nearUnit('percent', 10, 'sec')).toBeUndefined();
    expect(nearUnit('duration', 1, 'fortnight')).toBeUndefined();
  });
});
