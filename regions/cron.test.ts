import { describe, expect, it } from 'vitest';
import { cronProblem } from './cron.js';

describe('cronProblem', () => {
  it('accepts standard five-field schedules, names and macros', () => {
    for (const ok of ['5 * * * *', '*/15 * * * *', '0 9-17 * * mon-fri', '0 0 1,15 jan,jul *', '@hourly', '0 0 * * 7']) {
      expect(cronProblem(ok), ok).toBeUndefined();
    }
  });
  it('names the field that is wrong', () => {
    expect(cronProblem('* * * *')).toMatch(/has 5 fields .* found 4/);
    expect(cronProblem('60 * * * *')).toBe('minute field "60": "60" is not a number from 0 to 59');
    expect(cronProblem('0 25 * * *')).toMatch(/^hour field/);
    expect(cronProblem('0 0 * * funday')).toMatch(/^day of week field/);
    expect(cronProblem('*/0 * * * *')).toMatch(/step "0"/);
    expect(cronProblem('0 17-9 * * *')).toMatch(/runs backwards/);
  });
});
