/**
 * The three-cluster example (regions/examples/clusters/) on fake API servers: one fake per
 * region of its fleet.yaml, seeded from manifests/<region>.yaml, and a kubeconfig whose
 * contexts are the regions' `cluster` names. Shared by scripts/try-clusters.ts and
 * test/clusters/example.test.ts, so what people try is what the test checks. Test code: the
 * product never imports it.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { startFakeCluster, type FakeCluster, type KubeObject } from '../fakes/kube/fake-cluster.js';
import { writeKubeconfig } from '../fakes/kube/kubeconfig.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const EXAMPLE_DIR = join(REPO_ROOT, 'regions', 'examples', 'clusters');
/** Reads its workloads from the clusters. */
export const EXAMPLE_FLEET = join(EXAMPLE_DIR, 'fleet.yaml');
/** The same fleet with `inventory: inventory.yaml`. */
export const EXAMPLE_FLEET_FROM_FILE = join(EXAMPLE_DIR, 'fleet-from-file.yaml');
/** Where scripts/try-clusters.ts writes its kubeconfig (ignored by git). */
export const EXAMPLE_KUBECONFIG = join(EXAMPLE_DIR, '.kubeconfig');

/** A region of the example fleet and the file its cluster is seeded from. */
export interface ExampleRegion {
  readonly region: string;
  /** The kubeconfig context, the region's `cluster` in fleet.yaml. */
  readonly context: string;
  readonly manifests: string;
}

export interface ExampleCluster extends ExampleRegion {
  readonly fake: FakeCluster;
  /** The objects it was seeded with, in file order. */
  readonly objects: readonly KubeObject[];
}

export interface ExampleClusters {
  readonly clusters: readonly ExampleCluster[];
  readonly kubeconfig: string;
  /** The cluster of `region`; throws for a region the example does not have. */
  cluster(region: string): ExampleCluster;
  /** Whether the fakes' controllers have made every pod the seeded Deployments ask for. */
  podsReady(): boolean;
  /** Resolves once podsReady(), or rejects after `timeoutMs`. */
  whenPodsReady(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The example fleet's regions, in the order fleet.yaml lists them. */
export async function exampleRegions(fleetFile = EXAMPLE_FLEET): Promise<ExampleRegion[]> {
  const fleet: unknown = parse(await readFile(fleetFile, 'utf8'));
  const regions = isRecord(fleet) && Array.isArray(fleet.regions) ? (fleet.regions as unknown[]) : [];
  if (regions.length === 0) throw new Error(`${fleetFile}: no regions`);
  return regions.map((r, i) => {
    if (!isRecord(r) || typeof r.name !== 'string' || typeof r.cluster !== 'string')
      throw new Error(`${fleetFile}: regions[${i}] has no name or cluster`);
    return { region: r.name, context: r.cluster, manifests: join(EXAMPLE_DIR, 'manifests', `${r.name}.yaml`) };
  });
}

/** The objects of a multi-document manifests file; a YAML error or a document that is not an object throws. */
export async function readManifests(file: string): Promise<KubeObject[]> {
  const docs = parseAllDocuments(await readFile(file, 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  const objects: KubeObject[] = [];
  docs.forEach((doc, i) => {
    const problem = doc.errors[0];
    if (problem) throw new Error(`${file}: document ${i + 1}: ${problem.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isRecord(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string')
      throw new Error(`${file}: document ${i + 1} is not a Kubernetes object (apiVersion and kind)`);
    objects.push(value);
  });
  return objects;
}

/**
 * Starts one fake per region, seeds it from its manifests and writes `kubeconfig`. The fakes
 * are fakes: in-process HTTPS servers on 127.0.0.1 with a self-signed certificate.
 */
export async function startExampleClusters(
  kubeconfig: string,
  options: { controllerDelayMs?: number } = {},
): Promise<ExampleClusters> {
  const regions = await exampleRegions();
  const started: ExampleCluster[] = [];
  try {
    for (const r of regions) {
      const objects = await readManifests(r.manifests);
      const fake = await startFakeCluster({ name: r.context, controllerDelayMs: options.controllerDelayMs ?? 10 });
      started.push({ ...r, fake, objects });
      fake.seed(objects);
    }
    await writeKubeconfig(
      kubeconfig,
      started.map((c) => ({ context: c.context, cluster: c.fake })),
    );
  } catch (err) {
    await Promise.all(started.map((c) => c.fake.close()));
    throw err;
  }
  const podsReady = () => started.every((c) => deploymentPods(c.fake) === wantedPods(c.objects));
  return {
    clusters: started,
    kubeconfig,
    cluster: (region) => {
      const c = started.find((x) => x.region === region);
      if (!c) throw new Error(`no example cluster for ${region}`);
      return c;
    },
    podsReady,
    whenPodsReady: async (timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!podsReady()) {
        if (Date.now() > deadline) throw new Error(`the fakes made no pods for their Deployments in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async () => {
      await Promise.all(started.map((c) => c.fake.close()));
    },
  };
}

/** Pods the seeded Deployments ask for (spec.replicas, 1 when absent). */
export function wantedPods(objects: readonly KubeObject[]): number {
  return objects
    .filter((o) => o.kind === 'Deployment')
    .reduce((n, o) => {
      const replicas = isRecord(o.spec) ? o.spec.replicas : undefined;
      return n + (typeof replicas === 'number' ? replicas : 1);
    }, 0);
}

/** Pods the fake's controller made for Deployments (owned by their ReplicaSets). */
function deploymentPods(fake: FakeCluster): number {
  return fake
    .list('pods')
    .filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.kind === 'ReplicaSet' && r.controller === true))
    .length;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Runs the built CLI (`node bin/shisa.js`) from the repository root with only PATH and HOME
 * set, without blocking this process, which serves the fakes.
 */
export function runShisa(
  home: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const c = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'shisa.js'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: home },
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.once('error', fail);
    c.on('close', (code) => done({ code, stdout, stderr }));
  });
}
