/**
 * Files as production and hostile users present them, through the built CLI: a fleet whose
 * files are a Kubernetes ConfigMap volume (every name a symbolic link into `..data`, itself
 * a link to a timestamped folder) plans byte for byte as the plain files do; links to
 * nothing, link loops, FIFOs and devices are refused at once with a located error (exit 2),
 * never skipped, never waited on, never read without end.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** The part of `shisa validate --json` these tests read. */
interface ValidateJson {
  files: { summary: { intents: unknown } }[];
}
const EXAMPLE = join(ROOT, 'regions', 'examples');
let tmp: string;

function shisa(cwd: string, ...args: string[]) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shisa.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

/** The example fleet as plain files in `dir`. */
function plainFleet(dir: string): void {
  mkdirSync(dir, { recursive: true });
  cpSync(join(EXAMPLE, 'fleet.yaml'), join(dir, 'fleet.yaml'));
  cpSync(join(EXAMPLE, 'inventory.yaml'), join(dir, 'inventory.yaml'));
  cpSync(join(EXAMPLE, 'intents'), join(dir, 'intents'), { recursive: true });
}

/**
 * The same files the way the kubelet mounts ConfigMaps: the real files in a timestamped
 * folder, `..data` linking to it, each name linking through `..data`.
 */
function configMapVolume(dir: string, files: Record<string, string>): void {
  const stamp = '..2026_12_01_04_00_00.123456789';
  mkdirSync(join(dir, stamp), { recursive: true });
  for (const [name, from] of Object.entries(files)) writeFileSync(join(dir, stamp, name), readFileSync(from));
  symlinkSync(stamp, join(dir, '..data'));
  for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(dir, name));
}

function configMapFleet(dir: string): void {
  // The fleet file and inventory in one volume, the intents in another, as a chart would mount them.
  configMapVolume(dir, {
    'fleet.yaml': join(EXAMPLE, 'fleet.yaml'),
    'inventory.yaml': join(EXAMPLE, 'inventory.yaml'),
  });
  const intents = join(dir, 'intents');
  mkdirSync(intents);
  configMapVolume(
    intents,
    Object.fromEntries(readdirSync(join(EXAMPLE, 'intents')).map((f) => [f, join(EXAMPLE, 'intents', f)])),
  );
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'shisa-files-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a fleet mounted from ConfigMaps (symbolic links all the way)', () => {
  it('plans exactly as the same plain files: the same bytes, critical FISC workloads kept in Japan', () => {
    const plain = join(tmp, 'plain');
    const mounted = join(tmp, 'mounted');
    plainFleet(plain);
    configMapFleet(mounted);
    const args = ['plan', '--config', 'fleet.yaml', '--at', '2026-11-22T12:00Z', '--json', '--no-record'];
    const a = shisa(plain, ...args);
    const b = shisa(mounted, ...args);
    expect(a.code, a.stderr).toBe(0);
    expect(b.stderr).toBe(a.stderr);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const p = JSON.parse(b.stdout) as { moves: { workload: string }[]; kept_by_reason: Record<string, number> };
    expect(p.moves.length).toBeGreaterThan(0);
    expect(p.moves.filter((m) => m.workload.startsWith('payments/'))).toEqual([]);
    // The FISC payment services and the other critical workloads all stay where they are.
    expect(p.kept_by_reason.critical).toBe(52);
    const v = shisa(mounted, 'validate', 'fleet.yaml', '--json');
    expect((JSON.parse(v.stdout) as ValidateJson).files[0]?.summary.intents).toMatchObject({
      count: 13,
      files: 6,
      critical: 7,
    });
  }, 120_000);

  it('reads a file named twice through two links once, with a warning', () => {
    const dir = join(tmp, 'twice');
    plainFleet(dir);
    symlinkSync('payments.intent', join(dir, 'intents', 'also-payments.intent'));
    const r = shisa(dir, 'validate', 'fleet.yaml');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning\[fleet\/duplicate-intent-path\]: intent file "intents\/payments.intent" is listed more than once/,
    );
  });
});

describe('what is not a readable regular file is an error, never a skip', () => {
  const refused = (dir: string, args: string[], pattern: RegExp) => {
    const r = shisa(dir, ...args);
    expect(r.signal, 'killed by the timeout: it blocked').toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
    return r;
  };

  it('an intent file that is a link to nothing', () => {
    const dir = join(tmp, 'dangling');
    plainFleet(dir);
    symlinkSync('nowhere.intent', join(dir, 'intents', 'gone.intent'));
    refused(
      dir,
      ['validate', 'fleet.yaml'],
      /^intents\/gone\.intent:1:1: error\[file\/unreadable\]: cannot read intent file: no such file \(or a symbolic link to nothing\)$/m,
    );
  });

  it('a folder of intents that links back into itself', () => {
    const dir = join(tmp, 'loop');
    plainFleet(dir);
    mkdirSync(join(dir, 'intents', 'team'));
    symlinkSync('..', join(dir, 'intents', 'team', 'up'));
    refused(
      dir,
      ['validate', 'fleet.yaml'],
      /^fleet\.yaml:\d+:\d+: error\[fleet\/unreadable\]: folder "intents" links back into itself at "team\/up" \(a symbolic link loop\)$/m,
    );
  });

  it('an intent file that is a link to itself', () => {
    const dir = join(tmp, 'self');
    plainFleet(dir);
    symlinkSync('self.intent', join(dir, 'intents', 'self.intent'));
    refused(
      dir,
      ['validate', 'fleet.yaml'],
      /^intents\/self\.intent:1:1: error\[file\/unreadable\]: cannot read intent file: too many levels of symbolic links \(a symbolic link loop\)$/m,
    );
  });

  it('a FIFO as the inventory, and as an intent file: refused at once, not waited on', () => {
    const dir = join(tmp, 'fifo');
    plainFleet(dir);
    rmSync(join(dir, 'inventory.yaml'));
    expect(spawnSync('mkfifo', [join(dir, 'inventory.yaml')]).status).toBe(0);
    expect(spawnSync('mkfifo', [join(dir, 'intents', 'pipe.intent')]).status).toBe(0);
    const r = refused(
      dir,
      ['plan', '--config', 'fleet.yaml', '--no-record'],
      /^inventory\.yaml:1:1: error\[file\/not-regular\]: inventory is a named pipe \(FIFO\), not a regular file$/m,
    );
    expect(r.stderr).toMatch(
      /^intents\/pipe\.intent:1:1: error\[file\/not-regular\]: intent file is a named pipe \(FIFO\), not a regular file$/m,
    );
    expect(r.ms).toBeLessThan(20_000);
  });

  it('/dev/zero as the inventory and /dev/null as the fleet: refused without reading', () => {
    const dir = join(tmp, 'devices');
    plainFleet(dir);
    const fleet = readFileSync(join(dir, 'fleet.yaml'), 'utf8').replace(
      /^inventory: inventory\.yaml$/m,
      'inventory: /dev/zero',
    );
    writeFileSync(join(dir, 'fleet.yaml'), fleet);
    refused(
      dir,
      ['validate', 'fleet.yaml'],
      /^\/dev\/zero:1:1: error\[file\/not-regular\]: inventory is a character device, not a regular file$/m,
    );
    refused(
      dir,
      ['validate', '/dev/null'],
      /^\/dev\/null:1:1: error\[file\/not-regular\]: fleet file is a character device, not a regular file$/m,
    );
  });
});
