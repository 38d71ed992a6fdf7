/**
 * `shisa plan`'s text and JSON, byte for byte, on three fleets: the example (embedded
 * defaults), a small proven one and one whose intents conflict. Only durations vary
 * between runs; they are masked. A change to what a user reads shows up here as a diff of
 * the golden file (regenerate with SHISA_UPDATE_GOLDEN=1 and review the diff).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FLEETS = {
  example: 'regions/examples/fleet.yaml',
  proven: 'test/gates/fixtures/proven-moves/fleet.yaml',
  conflict: 'test/gates/fixtures/conflict-with-moves/fleet.yaml',
} as const;

const GOLDEN = join('test', 'run', 'golden');
const UPDATE = process.env.SHISA_UPDATE_GOLDEN === '1';

/** Durations are the only thing allowed to differ between two runs of the same snapshot (JSON has none). */
export function maskDurations(text: string): string {
  return text
    .replace(/^Planned in \d+(\.\d+)? ms\./gm, 'Planned in <ms> ms.')
    .replace(/ proven in \d+(\.\d+)? s /g, ' proven in <s> s ')
    .replace(/\(Z3, \d+(\.\d+)? s\)/g, '(Z3, <s> s)')
    .replace(/^(Check \d .*)\(\d+(\.\d+)? ms\)$/gm, '$1(<ms> ms)')
    .replace(/^( {2}\S+ \S+) +\d+(\.\d+)? ms +\[/gm, '$1 <ms> ms [')
    .replace(/ warnings? in \d+(\.\d+)? ms\./g, (m) => m.replace(/\d+(\.\d+)? ms/, '<ms> ms'));
}

function plan(fleet: string, json: boolean): { code: number | null; stdout: string } {
  const args = ['bin/shisa.js', 'plan', '--config', fleet, '--at', '2026-11-22T12:00Z', '--no-record'];
  const r = spawnSync(process.execPath, json ? [...args, '--json'] : args, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout };
}

describe('shisa plan output is unchanged (golden files)', () => {
  for (const [name, fleet] of Object.entries(FLEETS)) {
    for (const json of [false, true]) {
      const file = join(GOLDEN, `${name}.${json ? 'json' : 'txt'}`);
      it(`${name} ${json ? 'JSON' : 'text'} matches ${file}`, () => {
        const r = plan(fleet, json);
        expect(r.code).toBe(name === 'conflict' ? 3 : 0);
        const got = json ? r.stdout : maskDurations(r.stdout);
        if (UPDATE) writeFileSync(file, got);
        expect(got).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
