import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { atTime, listenAddress, runNumber, shutdownSeconds, timeoutMs } from './arguments.js';

/** The usage error an argument check raised: exit 2 and its one line. */
function refusal(check: () => unknown): { exitCode: number; code: string; message: string } {
  try {
    check();
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return { exitCode: err.exitCode, code: err.code, message: err.message };
  }
  throw new Error('expected the argument to be refused');
}

describe('runNumber', () => {
  it('reads digits from 1 to 2^53 − 1', () => {
    expect(runNumber('1')).toBe(1);
    expect(runNumber('0042')).toBe(42);
    expect(runNumber('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });
  it.each(['0', '9007199254740992', '99999999999999999999', '1e3', '1.0', '-1', '+1', ' 1', '0x10', 'Infinity', ''])(
    'refuses %j as not a run number',
    (text) => {
      expect(refusal(() => runNumber(text))).toEqual({
        exitCode: 2,
        code: 'shisa.badInput',
        message: `error: run ${JSON.stringify(text)} is not a run number: expected a whole number from 1 to 9007199254740991`,
      });
    },
  );
});

describe('timeoutMs', () => {
  it('reads whole milliseconds from 1 to 3600000', () => {
    expect(timeoutMs('1')).toBe(1);
    expect(timeoutMs('10000')).toBe(10_000);
    expect(timeoutMs('3600000')).toBe(3_600_000);
  });
  it.each(['0', '3600001', '99999999999999999999999'])('refuses %j as out of range', (text) => {
    expect(refusal(() => timeoutMs(text)).message).toBe(
      `error: --timeout "${text}" is out of range: expected a whole number from 1 to 3600000 ms`,
    );
  });
  it.each(['1e4', '10s', '-5', '1.5', 'Infinity', ''])('refuses %j as not a whole number of milliseconds', (text) => {
    expect(refusal(() => timeoutMs(text)).message).toBe(
      `error: --timeout ${JSON.stringify(text)} is not a whole number of milliseconds, e.g. 10000`,
    );
  });
});

describe('atTime', () => {
  it('reads ISO 8601 times with a zone, with or without seconds', () => {
    expect(atTime('2022-06-01T12:00Z')).toBe(Date.UTC(2022, 5, 1, 12));
    expect(atTime('2022-06-01T21:00:30.5+09:00')).toBe(Date.UTC(2022, 5, 1, 12, 0, 30, 500));
    expect(atTime('2024-02-29T00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(atTime('1970-01-01T00:00Z')).toBe(0);
    expect(atTime('9999-12-31T23:59:59Z')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
  });
  it.each([
    '2022-02-30T12:00Z',
    '2023-02-29T00:00Z',
    '2022-04-31T00:00Z',
    '2022-06-01T24:00Z',
    '2022-06-01T12:60Z',
    '2022-06-01T12:00:60Z',
    '2022-13-01T00:00Z',
    '2022-06-01T12:00+24:00',
    '2022-06-01T12:00',
    'noon',
    '+275760-09-13T00:00Z',
  ])('refuses %j as not a real time', (text) => {
    expect(refusal(() => atTime(text)).message).toBe(
      `error: --at ${JSON.stringify(text)} is not an ISO 8601 time with a zone, e.g. 2022-06-01T12:00Z`,
    );
  });
  it.each(['1969-12-31T23:59Z', '0000-01-01T00:00Z', '9999-12-31T23:00-05:00'])(
    'refuses %j as out of range',
    (text) => {
      expect(refusal(() => atTime(text)).message).toBe(
        `error: --at "${text}" is out of range: expected a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z`,
      );
    },
  );
  it('quotes a long or strange argument shortened and escaped', () => {
    expect(refusal(() => atTime(`x\n${'9'.repeat(100)}`)).message).toBe(
      `error: --at "x\\n${'9'.repeat(38)}…" is not an ISO 8601 time with a zone, e.g. 2022-06-01T12:00Z`,
    );
  });
});

describe('--listen and --shutdown-timeout', () => {
  it('takes HOST:PORT, IPv6 in brackets, port 0 for any free one', () => {
    expect(listenAddress('127.0.0.1:8470')).toEqual({ host: '127.0.0.1', port: 8470 });
    expect(listenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(listenAddress('localhost:65535')).toEqual({ host: 'localhost', port: 65535 });
  });
  it('refuses what is not an address, as a usage error', () => {
    for (const bad of ['8470', '127.0.0.1', '127.0.0.1:65536', 'host:-1', 'a b:80', ':80', '127.0.0.1:80\n'])
      expect(refusal(() => listenAddress(bad))).toMatchObject({ exitCode: 2, code: 'shisa.badInput' });
  });
  it('takes 1 to 600 whole seconds', () => {
    expect(shutdownSeconds('30')).toBe(30);
    for (const bad of ['0', '601', '1.5', '-1', ''])
      expect(refusal(() => shutdownSeconds(bad)).message).toMatch(/--shutdown-timeout/);
  });
});
