import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../scheduler/cli/main.js';
import { besidesNotEnforced } from './not-enforced.js';

/** Runs the built `shisa` binary the way a user does. */
function shisa(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/shisa.js', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK = /\n\s+at .*[(\s].*:\d+:\d+\)?/;

beforeAll(() => {
  if (!existsSync('dist/cli/main.js'))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
});

describe('shisa CLI', () => {
  it.each([[], ['validate'], ['carbon'], ['schema'], ['help', 'validate']])(
    'prints help for %j and exits 0',
    (...cmd) => {
      const r = shisa(...cmd, ...(cmd[0] === 'help' ? [] : ['--help']));
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: shisa/);
    },
  );

  it('reports the package version', () => {
    expect(VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
    expect(shisa('--version').stdout.trim()).toBe(VERSION);
  });

  it('exits 2 on usage errors, with a hint and no stack trace', () => {
    for (const args of [['frobnicate'], ['validate', '--frobnicate'], ['validate'], ['validte']]) {
      const r = shisa(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/error/);
      expect(r.stderr).not.toMatch(STACK);
    }
    expect(shisa('validte').stderr).toContain('(Did you mean validate?)');
  });

  it('validates the example fleet and summarises it', () => {
    const r = shisa('validate', 'regions/examples/fleet.yaml');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^shisa: 19 warnings$/m);
    expect(besidesNotEnforced(r.stderr)).toBe('');
    expect(r.stdout).toContain('regions/examples/fleet.yaml: valid (fleet "tokyo-fintech")');
    expect(r.stdout).toMatch(/regions +17 in 13 countries on 16 grid zones/);
    expect(r.stdout).toMatch(/intents +13 in 6 files: 7 critical, 6 flexible/);
    expect(r.stdout).toMatch(/workloads +300 from the inventory: 52 critical, 248 flexible/);
  });

  it('gives the same result as JSON, through --config too', () => {
    const r = shisa('validate', '--config', 'regions/examples/fleet.yaml', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      diagnostics: { severity: string; code: string }[];
      files: { summary: unknown }[];
    };
    expect(out.ok).toBe(true);
    // Only the constructs nothing enforces yet are mentioned, each a warning.
    expect(out.diagnostics).toHaveLength(19);
    expect(new Set(out.diagnostics.map((d) => `${d.severity} ${d.code}`))).toEqual(
      new Set(['warning intent/not-enforced']),
    );
    expect(out.files[0]?.summary).toMatchObject({
      regions: { count: 17 },
      intents: { count: 13 },
      workloads: { count: 300, flexible: 248 },
    });
  });

  it('exits 2 with located errors as JSON, nothing on stdout but the JSON', () => {
    const r = shisa('validate', 'no/such/fleet.yaml', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      files: [],
      diagnostics: [
        {
          code: 'file/unreadable',
          severity: 'error',
          message: 'cannot read fleet file: no such file (or a symbolic link to nothing)',
          file: 'no/such/fleet.yaml',
          line: 1,
          col: 1,
        },
      ],
    });
  });

  describe('refuses command-line numbers outside their documented ranges: one line on stderr, exit 2', () => {
    const fleet = ['--config', 'regions/examples/fleet.yaml'];
    const refused = (args: string[], line: RegExp) => {
      const r = shisa(...args);
      expect({ code: r.code, stdout: r.stdout }, r.stderr).toEqual({ code: 2, stdout: '' });
      expect(r.stderr).toMatch(new RegExp(`^${line.source}\n$`));
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).not.toContain('internal error');
    };

    it('a run number that is not digits, is 0, or is beyond what can be recorded', () => {
      const dir = mkdtempSync(join(tmpdir(), 'shisa-history-'));
      for (const run of ['99999999999999999999', '9007199254740992', '0', '1e3', '-1', 'abc']) {
        refused(
          ['history', run, ...fleet, '--data-dir', dir],
          /error: run ".*" is not a run number: expected a whole number from 1 to 9007199254740991/,
        );
      }
    });

    it('the largest run number is looked up: not recorded is exit 2 too', () => {
      const dir = mkdtempSync(join(tmpdir(), 'shisa-history-'));
      refused(
        ['history', '9007199254740991', ...fleet, '--data-dir', dir],
        /shisa history: no run 9007199254740991 is recorded \(shisa history lists them\)/,
      );
    });

    it('a --timeout of 0, above an hour, or not whole milliseconds', () => {
      refused(
        ['verify', ...fleet, '--timeout', '0'],
        /error: --timeout "0" is out of range: expected a whole number from 1 to 3600000 ms/,
      );
      refused(
        ['verify', ...fleet, '--timeout', '3600001'],
        /error: --timeout "3600001" is out of range: expected a whole number from 1 to 3600000 ms/,
      );
      refused(
        ['plan', ...fleet, '--no-record', '--timeout', '1e4'],
        /error: --timeout "1e4" is not a whole number of milliseconds, e.g. 10000/,
      );
    });

    it('an --at that is no real time, or outside years 1970–9999', () => {
      refused(
        ['plan', ...fleet, '--no-record', '--at', '2022-02-30T12:00Z'],
        /error: --at "2022-02-30T12:00Z" is not an ISO 8601 time with a zone, e\.g\. 2022-06-01T12:00Z/,
      );
      refused(
        ['plan', ...fleet, '--no-record', '--at', '0000-01-01T00:00Z'],
        /error: --at "0000-01-01T00:00Z" is out of range: expected a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z/,
      );
      refused(
        ['carbon', 'FR', '--at', '+275760-09-13T00:00Z'],
        /error: --at "\+275760-09-13T00:00Z" is not an ISO 8601 time with a zone, e\.g\. 2022-06-01T12:00Z/,
      );
      refused(
        ['carbon', 'FR', '--at', 'Infinity'],
        /error: --at "Infinity" is not an ISO 8601 time with a zone, e\.g\. 2022-06-01T12:00Z/,
      );
    });

    it('accepts the ends of the ranges', () => {
      const r = shisa('carbon', 'FR', '--at', '9999-12-31T23:59:59Z', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { at: string }).at).toBe('9999-12-31T23:59:59.000Z');
    });
  });

  it('keeps docs/fleet.schema.json equal to the schema the loader uses', () => {
    const r = shisa('schema');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync('docs/fleet.schema.json', 'utf8'));
    const out = join(mkdtempSync(join(tmpdir(), 'shisa-schema-')), 's.json');
    expect(shisa('schema', '--output', out).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
  });
});
