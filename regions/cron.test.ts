import { describe, expect, it } from 'vitest';
import { cronProblem, firesWithinAMinute, neverFires, onlyOnLeapDay, parseCron, type CronFields } from './cron.js';

const fields = (expr: string): CronFields => {
  const parsed = parseCron(expr);
  if (!('fields' in parsed)) throw new Error(`${expr}: ${parsed.problem}`);
  return parsed.fields;
};

describe('cronProblem', () => {
  it('accepts standard five-field schedules, names and macros', () => {
    for (const ok of [
      '5 * * * *',
      '*/15 * * * *',
      '0 9-17 * * mon-fri',
      '0 0 1,15 jan,jul *',
      '@hourly',
      '0 0 * * 7',
      '0 0 5-5/2 * *',
    ]) {
      expect(cronProblem(ok), ok).toBeUndefined();
    }
  });
  it('names the field that is wrong', () => {
    expect(cronProblem('* * * *')).toMatch(/has 5 fields .* found 4/);
    expect(cronProblem('0 0 0 * * * 2027')).toMatch(/or 6 with seconds first, found 7/);
    expect(cronProblem('61 * * * * *')).toBe('second field "61": "61" is not a number from 0 to 59');
    expect(cronProblem('60 * * * *')).toBe('minute field "60": "60" is not a number from 0 to 59');
    expect(cronProblem('0 25 * * *')).toMatch(/^hour field/);
    expect(cronProblem('0 0 * * funday')).toMatch(/^day of week field/);
    expect(cronProblem('*/0 * * * *')).toMatch(/step "0"/);
    expect(cronProblem('0 17-9 * * *')).toMatch(/runs backwards/);
  });
  it('takes a leading seconds field, as node-cron does, and a five-field one fires at second 0', () => {
    expect([...fields('*/15 * * * * *').second]).toEqual([0, 15, 30, 45]);
    expect([...fields('*/15 * * * * *').minute].length).toBe(60);
    expect([...fields('5 * * * *').second]).toEqual([0]);
    expect(firesWithinAMinute(fields('*/4 * * * * *'))).toBe(true);
    expect(firesWithinAMinute(fields('30 * * * * *'))).toBe(false);
    expect(firesWithinAMinute(fields('* * * * *'))).toBe(false);
  });
  it('refuses a step after a single value, which node-cron refuses too', () => {
    expect(cronProblem('5/15 * * * *')).toBe(
      'minute field "5/15": a step needs * or a range before it, e.g. "5-59/15"',
    );
  });
  it('refuses a schedule whose day of month never comes in any of its months', () => {
    expect(cronProblem('0 0 31 2 *')).toBe('never fires: February has no day 31');
    expect(cronProblem('0 0 30 2 *')).toBe('never fires: February has no day 30');
    expect(cronProblem('0 0 30,31 feb *')).toBe('never fires: February has no day 30 or 31');
    expect(cronProblem('0 0 31 4,6,9,11 *')).toBe('never fires: April, June, September and November have no day 31');
    expect(cronProblem('0 0 31 2-4/2 *')).toBe('never fires: February and April have no day 31');
  });
  it('accepts a day that some allowed month has, 29 February included', () => {
    for (const ok of ['0 0 31 2,3 *', '0 0 29 2 *', '0 0 30-31 4-5 *', '0 0 31 */2 *', '0 0 31 * *'])
      expect(cronProblem(ok), ok).toBeUndefined();
  });
});

describe('parseCron', () => {
  it('expands lists, ranges, steps and names into the values node-cron would match', () => {
    const f = fields('*/20 9-17/4 1,15 jan,jul mon-fri');
    expect([...f.minute]).toEqual([0, 20, 40]);
    expect([...f.hour]).toEqual([9, 13, 17]);
    expect([...f.dayOfMonth]).toEqual([1, 15]);
    expect([...f.month]).toEqual([1, 7]);
    expect([...f.dayOfWeek]).toEqual([1, 2, 3, 4, 5]);
  });
  it('reads 7 as Sunday and * in day of week as 0–6, as node-cron does', () => {
    expect([...fields('0 0 * * 7').dayOfWeek]).toEqual([0]);
    expect([...fields('0 0 * * */2').dayOfWeek]).toEqual([0, 2, 4, 6]);
  });
});

describe('neverFires and onlyOnLeapDay', () => {
  it('ignore the day of week: every real date falls on every weekday in some year (node-cron ANDs the two)', () => {
    expect(neverFires(fields('0 0 13 * 5'))).toBeUndefined();
    expect(neverFires(fields('0 0 29 2 1'))).toBeUndefined();
  });
  it('single out schedules that fire only on 29 February', () => {
    expect(onlyOnLeapDay(fields('0 0 29 2 *'))).toBe(true);
    expect(onlyOnLeapDay(fields('0 0 29-31 2 *'))).toBe(true);
    expect(onlyOnLeapDay(fields('0 0 29 2,3 *'))).toBe(false);
    expect(onlyOnLeapDay(fields('0 0 28,29 2 *'))).toBe(false);
    expect(onlyOnLeapDay(fields('0 0 31 2 *'))).toBe(false);
  });
});
