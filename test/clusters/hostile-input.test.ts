/**
 * `shisa inventory` against what a hostile or careless user hands it, run as an operator runs
 * it (the built CLI, in a child process) against fake clusters: kubeconfigs that are FIFOs,
 * devices, directories, symbolic links to nothing or to themselves, huge or growing files;
 * files a kubeconfig names that are any of those; unknown contexts; clusters that are down or
 * refuse the token; objects with nonsense requests, absurd numbers, huge annotations and
 * control characters. Each must end promptly with one clear, located message (file:line:col,
 * or cluster/namespace/object/field), exit 2 for invalid input and 0 with the cluster unknown
 * when it merely cannot be read, and never a stack trace, a token or a raw control character.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster, type KubeObject } from '../fakes/kube/fake-cluster.js';
import { kubeconfigText, writeKubeconfig } from '../fakes/kube/kubeconfig.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'shisa-hostile-input-'));
const fleet = join(dir, 'fleet.yaml');
const objectsFleet = join(dir, 'objects-fleet.yaml');
/** A line of a stack trace, as Node prints them. */
const STACK = /^\s+at .*(:\d+:\d+|\(native\))\)?$/m;
/** What a terminal would act on: C0 controls but tab and line feed, DEL, C1, bidi overrides. */
// eslint-disable-next-line no-control-regex -- finding control characters is what this is for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Longer than this, a run is not ending promptly (a FIFO waiting for a writer, /dev/zero read whole). */
const KILL_AFTER_MS = 30_000;

let tokyo: FakeCluster;
let osaka: FakeCluster;
let hostile: FakeCluster;
let good: string;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI without blocking this process, which serves the fakes; killed if it hangs. */
function shisa(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((done) => {
    const c = spawn(process.execPath, [join(ROOT, 'bin', 'shisa.js'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, ...env },
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => c.kill('SIGKILL'), KILL_AFTER_MS);
    c.on('close', (code, signal) => {
      clearTimeout(kill);
      done({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const inventory = (kubeconfig: string, config = fleet, ...more: string[]) =>
  shisa(['inventory', '--config', config, '--kubeconfig', kubeconfig, ...more]);

/** What every run must hold, whatever it was given. */
function expectWellBehaved(r: Run): void {
  const all = r.stdout + r.stderr;
  expect(r.signal, 'it hung and was killed').toBeNull();
  expect(all).not.toMatch(STACK);
  for (const fake of [tokyo, osaka, hostile]) expect(all).not.toContain(fake.token);
  expect(all).not.toMatch(RAW_CONTROL);
}

/** An invalid-input run: exit 2, nothing on stdout, and `located` among its messages. */
function expectRefused(r: Run, located: RegExp): void {
  expectWellBehaved(r);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(located);
}

/** A Deployment in namespace batch whose one container requests `requests`. */
function deployment(
  name: string,
  requests: Record<string, unknown>,
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
  replicas: unknown = 1,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'batch', ...meta },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests } }] },
      },
    },
  };
}

beforeAll(async () => {
  [tokyo, osaka, hostile] = await Promise.all([
    startFakeCluster({ name: 'tokyo' }),
    startFakeCluster({ name: 'osaka' }),
    // No controller: the objects are read as seeded, and no pods are made for nonsense replicas.
    startFakeCluster({ name: 'hostile', controller: false }),
  ]);
  writeFileSync(
    fleet,
    [
      'regions:',
      '  - { name: region-tokyo-01, zone: JP-TK, country: JP, cluster: kind-tokyo, capacity: { cpu: 64, memory_gib: 256 } }',
      '  - { name: region-osaka-01, zone: JP-KN, country: JP, cluster: kind-osaka, capacity: { cpu: 8, memory_gib: 32 } }',
      'inventory: { source: clusters }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    objectsFleet,
    [
      'regions:',
      '  - { name: region-hostile-01, zone: JP-TK, country: JP, cluster: kind-hostile, capacity: { cpu: 64, memory_gib: 256 } }',
      'inventory: { source: clusters }',
      '',
    ].join('\n'),
  );
  good = join(dir, 'good');
  await writeKubeconfig(good, [
    { context: 'kind-tokyo', cluster: tokyo },
    { context: 'kind-osaka', cluster: osaka },
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([tokyo?.close(), osaka?.close(), hostile?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('a kubeconfig that is no kubeconfig file', () => {
  /** The one located message; the regions' contexts are not also reported unknown. */
  function expectOnly(r: Run, located: RegExp): void {
    expectRefused(r, located);
    expect(r.stderr).not.toContain('kubeconfig/unknown-context');
    expect(r.stderr).toMatch(/^shisa: 1 error in 1 file; nothing was loaded$/m);
  }

  it('refuses a FIFO nobody writes to, without waiting for a writer', async () => {
    const fifo = join(dir, 'fifo');
    await new Promise<void>((ok, fail) =>
      spawn('mkfifo', [fifo]).on('close', (code) => (code === 0 ? ok() : fail(new Error(`mkfifo: ${code}`)))),
    );
    const r = await inventory(fifo);
    expectOnly(r, /^fifo:1:1: error\[file\/not-regular\]: kubeconfig is a named pipe \(FIFO\), not a regular file$/m);
    expect(r.ms).toBeLessThan(15_000);
  }, 60_000);

  it('refuses /dev/zero and /dev/urandom, which never end, as character devices', async () => {
    for (const device of ['/dev/zero', '/dev/urandom'])
      expectOnly(
        await inventory(device),
        new RegExp(
          `^${device}:1:1: error\\[file/not-regular\\]: kubeconfig is a character device, not a regular file$`,
          'm',
        ),
      );
  }, 60_000);

  it('refuses a directory', async () => {
    mkdirSync(join(dir, 'kube.d'));
    expectOnly(
      await inventory(join(dir, 'kube.d')),
      /^kube\.d:1:1: error\[file\/is-directory\]: kubeconfig path is a directory, not a file$/m,
    );
  }, 60_000);

  it('says a symbolic link to nothing is one, and where it points', async () => {
    symlinkSync('gone', join(dir, 'dangling'));
    expectOnly(
      await inventory(join(dir, 'dangling')),
      new RegExp(
        '^dangling:1:1: error\\[kubeconfig/not-found\\]: cannot read the clusters: the file --kubeconfig names ' +
          'does not exist \\(dangling, a symbolic link to gone, which does not exist\\)$',
        'm',
      ),
    );
  }, 60_000);

  it('refuses a symbolic link loop', async () => {
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    expectOnly(
      await inventory(join(dir, 'loop-a')),
      /^loop-a:1:1: error\[file\/unreadable\]: cannot read kubeconfig: too many levels of symbolic links \(a symbolic link loop\)$/m,
    );
  }, 60_000);

  it('refuses a 17 MiB file without reading it whole', async () => {
    const huge = join(dir, 'huge');
    writeFileSync(
      huge,
      `${kubeconfigText([{ context: 'kind-tokyo', cluster: tokyo }])}${'#'.repeat(17 * 1024 * 1024)}\n`,
    );
    expectOnly(
      await inventory(huge),
      /^huge:1:1: error\[file\/too-large\]: kubeconfig is 17\.0 MiB, larger than the 4\.0 MiB limit$/m,
    );
  }, 60_000);

  it('refuses a file that grows while it is read, at the file', async () => {
    const growing = join(dir, 'growing');
    writeFileSync(growing, kubeconfigText([{ context: 'kind-tokyo', cluster: tokyo }]));
    // Whatever moment it is read at, what it holds then is no valid kubeconfig: the lines appended are not YAML.
    appendFileSync(growing, 'broken: [\n');
    const chunk = `# ${'x'.repeat(64 * 1024)}\n`;
    const writer = setInterval(() => appendFileSync(growing, chunk), 1);
    try {
      const r = await inventory(growing);
      expectRefused(
        r,
        /^growing:\d+:\d+: error\[(file\/changed-while-read|file\/too-large|kubeconfig\/yaml-syntax)\]: /m,
      );
    } finally {
      clearInterval(writer);
    }
  }, 60_000);

  it('puts a control character in a file name on the screen escaped', async () => {
    const r = await inventory(join(dir, 'kube\u001b[2Jconfig'));
    expectRefused(r, /^kube\\u001b\[2Jconfig:1:1: error\[kubeconfig\/not-found\]: /m);
  }, 60_000);
});

describe('$KUBECONFIG with several files', () => {
  it('skips one that does not exist, as kubectl does, and reads the clusters from the others', async () => {
    const r = await shisa(['inventory', '--config', fleet], { KUBECONFIG: `${join(dir, 'missing')}:${good}` });
    expectWellBehaved(r);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Clusters {4}2 read$/m);
  }, 60_000);

  it('refuses one that is a FIFO or a directory, at that file, even when another defines every context', async () => {
    const r = await shisa(['inventory', '--config', fleet], { KUBECONFIG: `${good}:${dir}` });
    expectRefused(r, /error\[file\/is-directory\]: kubeconfig path is a directory, not a file$/m);
  }, 60_000);
});

describe('files a kubeconfig names', () => {
  /** A kubeconfig for kind-tokyo whose cluster or user names `field: path` instead of inline data. */
  function naming(name: string, entry: 'cluster' | 'user', field: string, path: string): string {
    const config = JSON.parse(kubeconfigText([{ context: 'kind-tokyo', cluster: tokyo }])) as {
      clusters: { cluster: Record<string, unknown> }[];
      users: { user: Record<string, unknown> }[];
    };
    const target = entry === 'cluster' ? config.clusters[0]!.cluster : config.users[0]!.user;
    delete target[entry === 'cluster' ? 'certificate-authority-data' : 'token'];
    target[field] = path;
    const file = join(dir, name);
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    return file;
  }
  const oneRegion = join(dir, 'tokyo-fleet.yaml');
  beforeAll(() => {
    writeFileSync(
      oneRegion,
      [
        'regions:',
        '  - { name: region-tokyo-01, zone: JP-TK, country: JP, cluster: kind-tokyo, capacity: { cpu: 8, memory_gib: 32 } }',
        'inventory: { source: clusters }',
        '',
      ].join('\n'),
    );
  });

  it('refuses a certificate authority that is a FIFO or /dev/zero at its line, instead of hanging', async () => {
    const fifo = join(dir, 'ca-fifo');
    await new Promise<void>((ok) => spawn('mkfifo', [fifo]).on('close', () => ok()));
    for (const [name, path, why] of [
      ['ca-is-fifo', fifo, 'a named pipe \\(FIFO\\), not a regular file'],
      ['ca-is-zero', '/dev/zero', 'a character device, not a regular file'],
      ['ca-is-missing', 'no-such.pem', 'no such file \\(or a symbolic link to nothing\\)'],
    ] as const) {
      const r = await inventory(naming(name, 'cluster', 'certificate-authority', path), oneRegion);
      expectRefused(
        r,
        new RegExp(
          `^${name}:\\d+:\\d+: error\\[kubeconfig/unreadable-file\\]: cluster "kind-tokyo": ` +
            `the certificate authority file cannot be read: ${why}$`,
          'm',
        ),
      );
      expect(r.stderr).toMatch(/^ *\d+ \| +"certificate-authority": /m);
    }
  }, 120_000);

  it('refuses a token file, client key or certificate that cannot be read, at its line', async () => {
    for (const [field, what] of [
      ['tokenFile', 'token'],
      ['client-key', 'client key'],
      ['client-certificate', 'client certificate'],
    ] as const) {
      const name = `user-${field}`;
      const r = await inventory(naming(name, 'user', field, dir), oneRegion);
      expectRefused(
        r,
        new RegExp(
          `^${name}:\\d+:\\d+: error\\[kubeconfig/unreadable-file\\]: user "kind-tokyo": ` +
            `the ${what} file cannot be read: a directory, not a regular file$`,
          'm',
        ),
      );
    }
  }, 120_000);

  it('reads the token from a tokenFile, relative to the kubeconfig, as kubectl does', async () => {
    writeFileSync(join(dir, 'token'), `${tokyo.token}\n`);
    const r = await inventory(naming('token-from-file', 'user', 'tokenFile', 'token'), oneRegion);
    expectWellBehaved(r);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Clusters {4}1 read$/m);
  }, 60_000);
});

describe('contexts and clusters', () => {
  it('locates a context no kubeconfig defines in the fleet file, and suggests the near one', async () => {
    const near = join(dir, 'near');
    await writeKubeconfig(near, [
      { context: 'kind-tokyo', cluster: tokyo },
      { context: 'kind-osakaa', cluster: osaka },
    ]);
    const r = await inventory(near);
    expectRefused(
      r,
      /^fleet\.yaml:3:65: error\[kubeconfig\/unknown-context\]: region "region-osaka-01" names the kubeconfig context "kind-osaka", which no kubeconfig defines$/m,
    );
    expect(r.stderr).toMatch(/^ {3}= help: did you mean "kind-osakaa"\?$/m);
  }, 60_000);

  it('reports a cluster that is down as unknown, exit 0, and reads the others', async () => {
    await osaka.down();
    try {
      const r = await inventory(good);
      expectWellBehaved(r);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Clusters {4}1 read, 1 unknown$/m);
      expect(r.stdout).toMatch(/^ {2}region-tokyo-01 +kind-tokyo +read in \d+ requests/m);
      expect(r.stdout).toMatch(
        /^ {2}region-osaka-01 +kind-osaka +unknown: CLUSTER_UNREACHABLE cannot connect \(ECONNREFUSED\)$/m,
      );
      expect(r.stdout).toMatch(/^Unknown {5}region-osaka-01: nothing moves into or out of it/m);
    } finally {
      await osaka.up();
    }
  }, 60_000);

  it('reports a cluster that revoked the token as unknown and unauthorized, exit 0, without the token', async () => {
    const revoking = await startFakeCluster({ name: 'revoking' });
    try {
      const kubeconfig = join(dir, 'revoked');
      await writeKubeconfig(kubeconfig, [
        { context: 'kind-tokyo', cluster: tokyo },
        { context: 'kind-osaka', cluster: revoking },
      ]);
      revoking.revokeToken();
      const r = await inventory(kubeconfig);
      expectWellBehaved(r);
      expect(r.stdout + r.stderr).not.toContain(revoking.token);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /^ {2}region-osaka-01 +kind-osaka +unknown: CLUSTER_UNAUTHORIZED the server refused the credentials \(401 Unauthorized\)/m,
      );
    } finally {
      await revoking.close();
    }
  }, 60_000);

  it('never quotes a token in a kubeconfig error on the line that holds it, whatever its shape', async () => {
    for (const token of [tokyo.token, 'weak-token-1', 'hunter2']) {
      const file = join(dir, 'token-line');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]',
          `users: [{ name: u, user: { token: ${token} ]`,
          'contexts: [{ name: kind-tokyo, context: { cluster: c, user: u } }]',
          '',
        ].join('\n'),
      );
      const r = await inventory(file);
      expectRefused(r, /^token-line:3:\d+: error\[kubeconfig\/yaml-syntax\]: /m);
      expect(r.stderr).not.toContain(token);
    }
  }, 60_000);
});

describe('objects shisa cannot read', () => {
  let run: Run;
  let json: { diagnostics: { code: string; object?: Record<string, string> }[] };
  const manyItems = Array.from({ length: 10_000 }, (_, i) => `b/${i % 10}`).join(',');
  beforeAll(async () => {
    hostile.seed([
      deployment('etl', { cpu: 'lots', memory: '1Gi' }),
      deployment('huge', { cpu: '1e308', memory: '99999999999999999999999Ti' }),
      deployment('tiny', { cpu: '1e-30', memory: '-1' }),
      deployment('many-replicas', { cpu: '1', memory: '1Gi' }, {}, 1e20),
      deployment('many-deps', { cpu: '1', memory: '1Gi' }, { annotations: { 'shisa.io/depends-on': manyItems } }),
      deployment(
        'long-deps',
        { cpu: '1', memory: '1Gi' },
        { annotations: { 'shisa.io/depends-on': 'a'.repeat(1 << 20) } },
      ),
      deployment(
        'escapes',
        { cpu: '1', memory: '1Gi' },
        {
          labels: { 'shisa.io/intent': 'x\u001b[31mred\u0007' },
          annotations: { 'shisa.io/depends-on': 'batch/\u001b]0;pwned\u0007,batch/ok\u202e,batch/\u009b2J' },
        },
      ),
    ]);
    const kubeconfig = join(dir, 'hostile');
    await writeKubeconfig(kubeconfig, [{ context: 'kind-hostile', cluster: hostile }]);
    run = await inventory(kubeconfig, objectsFleet);
    const asJson = await inventory(kubeconfig, objectsFleet, '--json');
    expect(asJson.code).toBe(2);
    json = JSON.parse(asJson.stdout) as typeof json;
  }, 120_000);

  it('exits 2, keeps every such object where it is, and shows no stack, token or raw control character', () => {
    expectWellBehaved(run);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^shisa inventory: 11 errors in the \w+ of 1 cluster; those objects stay where they are$/m,
    );
    for (const name of ['etl', 'huge', 'tiny', 'many-replicas', 'many-deps', 'long-deps', 'escapes'])
      expect(run.stdout).toMatch(
        new RegExp(`^ {2}batch/${name} +Deployment +region-hostile-01 +some of its fields could not be read`, 'm'),
      );
  });

  it('names cluster, namespace, object and field of cpu: "lots", as text and as JSON', () => {
    expect(run.stderr).toMatch(
      /^cluster kind-hostile: namespace batch, Deployment etl, spec\.template\.spec\.containers\[0\]\.resources\.requests\.cpu: error\[cluster\/bad-quantity\]: cpu "lots" is not a Kubernetes quantity$/m,
    );
    expect(json.diagnostics).toContainEqual(
      expect.objectContaining({
        code: 'cluster/bad-quantity',
        object: expect.objectContaining({
          cluster: 'kind-hostile',
          namespace: 'batch',
          kind: 'Deployment',
          name: 'etl',
          field: 'spec.template.spec.containers[0].resources.requests.cpu',
        }) as unknown,
      }),
    );
  });

  it('refuses huge and tiny numbers at their fields, never computing them', () => {
    const at = (name: string, field: string) =>
      new RegExp(
        `^cluster kind-hostile: namespace batch, Deployment ${name}, ${field.replace(/[.[\]]/g, '\\$&')}: error\\[cluster/(bad-quantity|out-of-range|bad-field)\\]: `,
        'm',
      );
    const requests = 'spec.template.spec.containers[0].resources.requests';
    expect(run.stderr).toMatch(at('huge', `${requests}.cpu`));
    expect(run.stderr).toMatch(at('huge', `${requests}.memory`));
    expect(run.stderr).toMatch(at('tiny', `${requests}.memory`));
    expect(run.stderr).toMatch(
      /Deployment many-replicas, spec\.replicas: error\[cluster\/(out-of-range|bad-field)\]: /,
    );
    expect(run.stdout).not.toMatch(/Infinity|NaN|e\+\d/);
  });

  it('refuses 10,000 dependencies and a 1 MB annotation whole, in one bounded message each', () => {
    const field = 'metadata\\.annotations\\["shisa\\.io/depends-on"\\]';
    expect(run.stderr).toMatch(
      new RegExp(
        `^cluster kind-hostile: namespace batch, Deployment many-deps, ${field}: error\\[cluster/annotation-too-large\\]: annotation shisa\\.io/depends-on has 10000 items; none of it was read$`,
        'm',
      ),
    );
    expect(run.stderr).toMatch(
      new RegExp(
        `^cluster kind-hostile: namespace batch, Deployment long-deps, ${field}: error\\[cluster/annotation-too-large\\]: annotation shisa\\.io/depends-on is 1048576 characters long; none of it was read$`,
        'm',
      ),
    );
    expect(run.stderr.match(/Deployment (many|long)-deps, /g)).toHaveLength(2);
    expect(run.stdout.length + run.stderr.length).toBeLessThan(20_000);
    expect(run.ms).toBeLessThan(15_000);
  });

  it('shows control characters in labels and annotations escaped, never raw', () => {
    expect(run.stderr).toContain('label shisa.io/intent is "x\\u001b[31mred\\u0007", not an intent name');
    expect(run.stderr).toContain('"batch/\\u001b]0;pwned\\u0007", is not namespace/name');
    expect(run.stderr).toContain('"batch/ok\\u202e", is not namespace/name');
    expect(run.stderr).toContain('"batch/\\u009b2J", is not namespace/name');
  });
});
