/**
 * `shisa serve` refuses to start, exit 2 with the reason and nothing started, on a bad
 * configuration or argument: a fleet with an error (file:line:col), a fleet that reads its
 * workloads from a file (migrations happen in clusters), a malformed --listen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe } from './serve-cli.js';

const home = mkdtempSync(join(tmpdir(), 'shisa-serve-refusals-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function serve(...args: string[]) {
  const s = startServe(home, args, {});
  const exit = await s.exited;
  return { code: exit.code, text: s.other.join('') + s.lines.map((l) => l.msg).join('\n') };
}

describe('shisa serve refuses to start', () => {
  it('on a fleet with an error, saying where', async () => {
    const r = await serve('--config', 'test/corpus/cases/25-cron-seven-fields.yaml');
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/25-cron-seven-fields\.yaml:9:13: error\[fleet\/invalid-value\]/);
  });
  it('on a fleet that reads its workloads from a file', async () => {
    const r = await serve('--config', 'regions/examples/clusters/fleet-from-file.yaml');
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/serve\/inventory.*moves workloads in their clusters/s);
    expect(r.text).toMatch(/inventory: \{ source: clusters \}/);
  });
  it('on a malformed --listen', async () => {
    const r = await serve('--config', 'regions/examples/clusters/fleet.yaml', '--listen', 'everywhere');
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/--listen "everywhere" is not an address/);
  });
});
