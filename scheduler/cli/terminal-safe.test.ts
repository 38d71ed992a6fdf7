import { describe, expect, it } from 'vitest';
import { neutralise } from './terminal-safe.js';

describe('neutralise', () => {
  it('shows what a terminal would act on as \\u escapes, and keeps tabs, newlines and ordinary Unicode', () => {
    expect(neutralise('a\u001b[2Jb\u0007c\rd\u009b1m\u202eevil\u2066x')).toBe(
      'a\\u001b[2Jb\\u0007c\\u000dd\\u009b1m\\u202eevil\\u2066x',
    );
    expect(neutralise('tab\there\nnext line: µs → gCO2eq/kWh, 東京')).toBe(
      'tab\there\nnext line: µs → gCO2eq/kWh, 東京',
    );
  });

  it('keeps JSON valid and meaning the same string', () => {
    const value = { name: 'x\u009b\u202ey\u001b' };
    const shown = neutralise(JSON.stringify(value));
    expect(shown).not.toMatch(/[\u0080-\u009f\u202e]/);
    expect(JSON.parse(shown)).toEqual(value);
  });
});
