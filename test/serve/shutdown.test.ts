/**
 * SIGTERM in the middle of a verification window: `shisa serve` stops taking work, ends the
 * window, leaves the migration where the journal says (`verifying`, not rolled back), and exits
 * 0 well within --shutdown-timeout. The next start settles it as `shisa apply --resume` does: its
 * source never started going, so the copy is rolled back and the source serves on, nothing
 * half-done. The carbon feed's last good readings come back from the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OSLO, startServeWorld, type ServeWorld } from './serve-world.js';
import { killAll, serveArgs, startServe, type LogLine, type RunningServe } from './serve-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-serve-stop-'));
let world: ServeWorld | undefined;
const children: RunningServe[] = [];
afterAll(async () => {
  killAll(children);
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = (w: ServeWorld) => serveArgs(w, '--shutdown-timeout', '15');
const ended = (workload: string) => (l: LogLine) => l.event === 'migration.end' && l.workload === workload;

describe('SIGTERM during a migration', () => {
  it('journals where it stands, exits 0 in bounds, and the next start settles the move', async () => {
    world = await startServeWorld(dir, { verifyWindow: '30s', batch: 1, schedule: '*/5 * * * * *' });
    const w = world;
    const first = startServe(dir, args(w), w.env);
    children.push(first);
    await first.waitFor(
      (l) => l.event === 'migration.step' && l.workload === 'batch/job-001' && l.state === 'verifying',
      90_000,
      'batch/job-001 verifying',
    );
    const asked = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - asked).toBeLessThan(15_000);
    const stuck = first.lines.find(ended('batch/job-001'))!;
    expect(stuck).toMatchObject({ end: 'stuck', reason: 'the service is stopping' });
    // Both copies run meanwhile: the source was not touched, the copy not deleted.
    expect(
      w
        .placement()
        .get('batch/job-001')
        ?.map((p) => p.region)
        .sort(),
    ).toEqual(['region-madrid-01', OSLO]);

    const second = startServe(dir, args(w), w.env);
    children.push(second);
    const restored = await second.waitFor((l) => l.event === 'carbon.restored', 30_000, 'the readings restored');
    expect(restored.zones).toBe(3);
    const done = await second.waitFor(ended('batch/job-001'), 90_000, 'the move settled');
    expect(done).toMatchObject({ end: 'rolled-back' });
    expect(w.placement().get('batch/job-001')).toEqual([{ region: 'region-madrid-01', ready: 1 }]);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 240_000);
});
