import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../scheduler/cli/main.js';

/** Runs the built `shisa` binary the way a user does. */
function shisa(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/shisa.js', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK = /\n\s+at .*[(\s].*:\d+:\d+\)?/;

beforeAll(() => {
  if (!existsSync('dist/scheduler/cli/main.js')) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
});

describe('shisa CLI', () => {
  it.each([[], ['validate'], ['carbon'], ['schema'], ['help', 'validate']])('prints help for %j and exits 0', (...cmd) => {
    const r = shisa(...cmd, ...(cmd[0] === 'help' ? [] : ['--help']));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: shisa/);
  });

  it('reports the package version', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
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
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('regions/examples/fleet.yaml: valid (fleet "tokyo-fintech")');
    expect(r.stdout).toMatch(/regions +17 in 13 countries on 16 grid zones/);
    expect(r.stdout).toMatch(/intents +13 in 6 files: 7 critical, 6 flexible/);
    expect(r.stdout).toMatch(/workloads +300 from the inventory: 52 critical, 248 flexible/);
  });

  it('gives the same result as JSON, through --config too', () => {
    const r = shisa('validate', '--config', 'regions/examples/fleet.yaml', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.diagnostics).toEqual([]);
    expect(out.files[0].summary).toMatchObject({ regions: { count: 17 }, intents: { count: 13 }, workloads: { count: 300, flexible: 248 } });
  });

  it('exits 2 with located errors as JSON, nothing on stdout but the JSON', () => {
    const r = shisa('validate', 'no/such/fleet.yaml', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      files: [],
      diagnostics: [{ code: 'file/unreadable', severity: 'error', message: 'cannot read fleet file: no such file', file: 'no/such/fleet.yaml', line: 1, col: 1 }],
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
