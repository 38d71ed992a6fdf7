/**
 * `shisa verify`'s check 4 through the built CLI, against the three-cluster example on fake
 * API servers: each `ensure(traffic_policy: …)` is checked against the Istio
 * PeerAuthentications the clusters hold, by Istio's precedence. A requirement that holds is
 * proven and says what sets the mode; a drift is unprovable (exit 3) and names the object
 * that shows it (or Istio's default); what cannot be decided (a cluster down, a
 * PeerAuthentication shisa cannot read) is a warning, never a pass; with an inventory file
 * nothing is checked and the warning says the clusters are needed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../fakes/kube/objects.js';
import {
  EXAMPLE_DIR,
  EXAMPLE_FLEET,
  EXAMPLE_FLEET_FROM_FILE,
  runShisa,
  startExampleClusters,
  type ExampleClusters,
} from './example-clusters.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-traffic-policy-'));
const kubeconfig = join(dir, 'kubeconfig');
let example: ExampleClusters;

const STRICT_CARD_AUTH = `intent "card-auth-mtls" {
  workloads("payments/card-auth")
  ensure(traffic_policy: "mTLS-strict")
}
`;
const PERMISSIVE_STOREFRONT = `intent "storefront-mtls" {
  workloads("web/storefront")
  ensure(traffic_policy: "mTLS-permissive")
}
`;

interface Obligation {
  check: string;
  code: string;
  name: string;
  verdict: string;
  method: string;
  detail?: string;
  unprovable_state?: {
    code: string;
    reason: string;
    message: string;
    core: { kind: string; text: string; file: string; line: number; col: number; object?: unknown }[];
  };
}

/** The example fleet with one more intent file, `traffic.intent` (or none), in a folder of its own. */
function fleetWith(name: string, traffic: string | undefined, fleetFile = EXAMPLE_FLEET): string {
  const d = join(dir, name);
  mkdirSync(join(d, 'intents'), { recursive: true });
  writeFileSync(join(d, 'fleet.yaml'), readFileSync(fleetFile, 'utf8'));
  copyFileSync(join(EXAMPLE_DIR, 'intents', 'platform.intent'), join(d, 'intents', 'platform.intent'));
  if (fleetFile === EXAMPLE_FLEET_FROM_FILE)
    copyFileSync(join(EXAMPLE_DIR, 'inventory.yaml'), join(d, 'inventory.yaml'));
  if (traffic !== undefined) writeFileSync(join(d, 'intents', 'traffic.intent'), traffic);
  return join(d, 'fleet.yaml');
}

async function verify(fleet: string, ...more: string[]) {
  const r = await runShisa(dir, ['verify', '--config', fleet, '--kubeconfig', kubeconfig, ...more]);
  const obligations = more.includes('--json')
    ? (JSON.parse(r.stdout) as { obligations: Obligation[] }).obligations
    : [];
  return { ...r, traffic: obligations.filter((o) => o.check === 'traffic-policy') };
}

function peerAuthentication(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { namespace, name }, spec };
}

/** Seeds `objects` into the region's cluster for the length of `body`. */
async function withPolicies<T>(region: string, objects: readonly KubeObject[], body: () => Promise<T>): Promise<T> {
  const fake = example.cluster(region).fake;
  fake.seed(objects);
  try {
    return await body();
  } finally {
    for (const o of objects) {
      const m = o.metadata as { namespace: string; name: string };
      fake.remove('PeerAuthentication', m.namespace, m.name);
    }
  }
}

const NAMESPACE_STRICT = peerAuthentication('payments', 'default', { mtls: { mode: 'STRICT' } });
const CARD_AUTH_PERMISSIVE = peerAuthentication('payments', 'card-auth-permissive', {
  selector: { matchLabels: { app: 'card-auth' } },
  mtls: { mode: 'PERMISSIVE' },
});

beforeAll(async () => {
  example = await startExampleClusters(kubeconfig);
  await example.whenPodsReady(15_000);
}, 60_000);

afterAll(async () => {
  await example?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shisa verify: ensure(traffic_policy) against the clusters', () => {
  it('mTLS-strict under a STRICT namespace-wide PeerAuthentication holds: proven, exit 0', async () => {
    const fleet = fleetWith('strict-holds', STRICT_CARD_AUTH);
    await withPolicies('region-tokyo-01', [NAMESPACE_STRICT], async () => {
      const r = await verify(fleet, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.traffic).toEqual([
        {
          check: 'traffic-policy',
          code: 'traffic-policy.mtls',
          name: 'traffic policy mTLS-strict of intent "card-auth-mtls" holds for payments/card-auth in cluster gke-tokyo-01',
          verdict: 'proven',
          method: 'evaluated',
          ms: expect.any(Number) as unknown,
          detail:
            'mTLS mode STRICT in region region-tokyo-01, set by the namespace-wide PeerAuthentication payments/default',
        },
      ]);
      expect(r.stderr).not.toMatch(/mesh\/traffic-policy/);

      const text = await verify(fleet);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(
        /^Check 4 — traffic policies \(Istio mTLS, as the clusters report it\) \(.+ ms\)\n {2}✓ proven .+\[evaluated\] {2}traffic policy mTLS-strict of intent "card-auth-mtls" holds for payments\/card-auth in cluster gke-tokyo-01 — mTLS mode STRICT in region region-tokyo-01, set by the namespace-wide PeerAuthentication payments\/default$/m,
      );
    });
  }, 60_000);

  it('a PERMISSIVE workload-specific PeerAuthentication over a STRICT namespace is drift: exit 3, naming that object', async () => {
    const fleet = fleetWith('strict-drift', STRICT_CARD_AUTH);
    const intentFile = join(dir, 'strict-drift', 'intents', 'traffic.intent');
    await withPolicies('region-tokyo-01', [NAMESPACE_STRICT, CARD_AUTH_PERMISSIVE], async () => {
      const r = await verify(fleet, '--json');
      expect(r.code, r.stderr).toBe(3);
      const message =
        'payments/card-auth in cluster gke-tokyo-01 (region region-tokyo-01): ensure(traffic_policy: "mTLS-strict") ' +
        'of intent "card-auth-mtls" requires mTLS mode STRICT, but its effective mode is PERMISSIVE, set by the ' +
        'workload-specific PeerAuthentication payments/card-auth-permissive';
      // The core is sorted by file, and the intent file's folder is a temporary one: compare by kind.
      const core = r.traffic[0]?.unprovable_state?.core ?? [];
      core.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
      expect(r.traffic).toEqual([
        {
          check: 'traffic-policy',
          code: 'traffic-policy.mtls',
          name: 'traffic policy mTLS-strict of intent "card-auth-mtls" holds for payments/card-auth in cluster gke-tokyo-01',
          verdict: 'unprovable',
          method: 'evaluated',
          ms: expect.any(Number) as unknown,
          detail: message,
          unprovable_state: {
            code: 'UNPROVABLE_STATE',
            reason: 'unsat',
            message,
            core: [
              {
                kind: 'peer-authentication',
                text: 'the workload-specific PeerAuthentication payments/card-auth-permissive sets mTLS mode PERMISSIVE',
                file: 'cluster gke-tokyo-01',
                line: 0,
                col: 0,
                object: {
                  cluster: 'gke-tokyo-01',
                  namespace: 'payments',
                  kind: 'PeerAuthentication',
                  name: 'card-auth-permissive',
                },
              },
              {
                kind: 'traffic-policy',
                text: 'ensure(traffic_policy: "mTLS-strict") of intent "card-auth-mtls"',
                file: intentFile,
                line: 3,
                col: 3,
              },
            ],
          },
        },
      ]);
      expect(r.stderr).toContain(`${intentFile}:3:3: error[mesh/traffic-policy-drift]: ${message}\n`);
      expect(r.stderr).toMatch(
        /^ {3}= note: the effective mode comes from the PeerAuthentication at cluster gke-tokyo-01: namespace payments, PeerAuthentication card-auth-permissive$/m,
      );
      expect(r.stderr).toMatch(/^shisa verify: 1 traffic-policy drift \(check 4\)$/m);

      const text = await verify(fleet);
      expect(text.code).toBe(3);
      const lines = text.stdout.split('\n');
      const at = lines.indexOf('      conflicting constraints:');
      expect(at).toBeGreaterThan(0);
      expect(
        lines
          .slice(at + 1, at + 3)
          .map((l) => l.replace(/ {2,}/g, '  '))
          .sort(),
      ).toEqual(
        [
          '  cluster gke-tokyo-01: namespace payments, PeerAuthentication card-auth-permissive  ' +
            'the workload-specific PeerAuthentication payments/card-auth-permissive sets mTLS mode PERMISSIVE',
          `  ${intentFile}:3:3  ensure(traffic_policy: "mTLS-strict") of intent "card-auth-mtls"`,
        ].sort(),
      );
      expect(text.stdout).toMatch(
        /1 unprovable, 0 warnings in .+\. Traffic-policy drift: a cluster does not give a workload the mTLS mode its intent ensures\.$/m,
      );
    });
  }, 60_000);

  it('with no PeerAuthentication at all, mTLS-strict is drift from Istio default PERMISSIVE: exit 3', async () => {
    const fleet = fleetWith('strict-no-policy', STRICT_CARD_AUTH);
    const intentFile = join(dir, 'strict-no-policy', 'intents', 'traffic.intent');
    const r = await verify(fleet, '--json');
    expect(r.code, r.stderr).toBe(3);
    const message =
      'payments/card-auth in cluster gke-tokyo-01 (region region-tokyo-01): ensure(traffic_policy: "mTLS-strict") ' +
      'of intent "card-auth-mtls" requires mTLS mode STRICT, but its effective mode is PERMISSIVE, ' +
      "Istio's default: no PeerAuthentication exists in cluster gke-tokyo-01 (Istio may not be installed there)";
    expect(r.traffic.map((o) => [o.verdict, o.unprovable_state?.message, o.unprovable_state?.core.length])).toEqual([
      ['unprovable', message, 1],
    ]);
    expect(r.stderr).toContain(`${intentFile}:3:3: error[mesh/traffic-policy-drift]: ${message}\n`);
  }, 60_000);

  it('mTLS-permissive holds under Istio default where the cluster has PeerAuthentications, and is unchecked where it has none', async () => {
    const fleet = fleetWith('permissive', PERMISSIVE_STOREFRONT);
    const elsewhere = peerAuthentication('payments', 'default', { mtls: { mode: 'STRICT' } });
    await withPolicies('region-osaka-01', [elsewhere], async () => {
      const r = await verify(fleet, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.traffic.map((o) => [o.name, o.verdict, o.detail])).toEqual([
        [
          'traffic policy mTLS-permissive of intent "storefront-mtls" holds for web/storefront in cluster gke-osaka-01',
          'proven',
          "mTLS mode PERMISSIVE in region region-osaka-01, Istio's default: no PeerAuthentication in namespace web " +
            'or the root namespace istio-system sets a mode for it',
        ],
      ]);
      expect(r.stderr).not.toMatch(/mesh\/traffic-policy/);
    });
    // No PeerAuthentication in Osaka at all: Istio may not run there, so the default proves nothing.
    const bare = await verify(fleet, '--json');
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.traffic.map((o) => [o.verdict, o.detail])).toEqual([
      [
        'warning',
        'web/storefront in cluster gke-osaka-01 (region region-osaka-01): ensure(traffic_policy: "mTLS-permissive") ' +
          `of intent "storefront-mtls" holds only by Istio's default (PERMISSIVE): no PeerAuthentication exists in ` +
          'cluster gke-osaka-01, so whether Istio runs there at all cannot be told',
      ],
    ]);
    expect(bare.stderr).toMatch(/warning\[mesh\/traffic-policy-unchecked\]: web\/storefront in cluster gke-osaka-01/);
  }, 60_000);

  it('with Osaka down: unchecked there (a warning), proven in Tokyo; exit 0, as verify exits with a region unknown', async () => {
    const fleet = fleetWith('osaka-down', STRICT_CARD_AUTH);
    const baseline = fleetWith('osaka-down-baseline', undefined);
    const osaka = example.cluster('region-osaka-01');
    await withPolicies('region-tokyo-01', [NAMESPACE_STRICT], async () => {
      await osaka.fake.down();
      try {
        const r = await verify(fleet, '--json');
        const without = await verify(baseline, '--json');
        expect(without.code, without.stderr).toBe(0);
        expect(r.code, r.stderr).toBe(without.code);
        expect(r.traffic.map((o) => [o.name, o.verdict])).toEqual([
          [
            'traffic policy mTLS-strict of intent "card-auth-mtls" holds for payments/card-auth in cluster gke-tokyo-01',
            'proven',
          ],
          ['traffic policy mTLS-strict of intent "card-auth-mtls" holds in cluster gke-osaka-01', 'warning'],
        ]);
        const unchecked = r.traffic[1]!;
        expect(unchecked.detail).toMatch(
          /^ensure\(traffic_policy: "mTLS-strict"\) of intent "card-auth-mtls" cannot be checked in cluster gke-osaka-01 \(region region-osaka-01\): the cluster could not be read \(.+\), so which workloads run there and which PeerAuthentications apply to them is unknown$/,
        );
        expect(unchecked.unprovable_state?.reason).toBe('unknown');
        expect(r.stderr).toMatch(
          /warning\[mesh\/traffic-policy-unchecked\]: ensure\(traffic_policy: "mTLS-strict"\) of intent "card-auth-mtls" cannot be checked in cluster gke-osaka-01/,
        );
        expect(r.stderr).toMatch(/^shisa verify: 1 traffic policy unchecked \(check 4\)$/m);
        expect(r.stderr).not.toContain(osaka.fake.token);
      } finally {
        await osaka.fake.up();
      }
    });
  }, 60_000);

  it('a PeerAuthentication shisa cannot read is located at its field, and what it may decide is unchecked, not passed', async () => {
    const fleet = fleetWith('unreadable', STRICT_CARD_AUTH);
    const bad = peerAuthentication('payments', 'odd', { mtls: { mode: 'STRONG' } });
    await withPolicies('region-tokyo-01', [NAMESPACE_STRICT, bad], async () => {
      const r = await verify(fleet, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        'cluster gke-tokyo-01: namespace payments, PeerAuthentication odd, spec.mtls.mode: ' +
          'error[cluster/bad-field]: spec.mtls.mode is "STRONG"\n  = expected: UNSET, DISABLE, PERMISSIVE, STRICT\n',
      );
      expect(r.stderr).toMatch(
        /^shisa verify: 1 problem in the PeerAuthentications and pod labels of 1 cluster; a traffic policy they may decide is unchecked$/m,
      );
      expect(r.traffic.map((o) => [o.verdict, o.detail])).toEqual([
        [
          'warning',
          'payments/card-auth in cluster gke-tokyo-01 (region region-tokyo-01): ensure(traffic_policy: "mTLS-strict") ' +
            'of intent "card-auth-mtls" cannot be checked: PeerAuthentication payments/odd could not be read (see the diagnostics)',
        ],
      ]);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  }, 60_000);

  it('with an inventory file nothing is checked: no check 4, and the warning says the clusters are needed', async () => {
    const fleet = fleetWith('from-file', STRICT_CARD_AUTH, EXAMPLE_FLEET_FROM_FILE);
    const r = await runShisa(dir, ['verify', '--config', fleet, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const obligations = (JSON.parse(r.stdout) as { obligations: Obligation[] }).obligations;
    expect(obligations.filter((o) => o.check === 'traffic-policy')).toEqual([]);
    expect(r.stderr).toContain(
      'warning[intent/not-enforced]: ensure(traffic_policy: "mTLS-strict") is not enforced yet: nothing sets the ' +
        'traffic policy of the workloads, and only shisa verify checks it, on a fleet that reads its workloads from ' +
        'the clusters (inventory: { source: clusters })\n',
    );
    expect(r.stderr).not.toMatch(/mesh\/traffic-policy/);
    const text = await runShisa(dir, ['verify', '--config', fleet]);
    expect(text.stdout).not.toContain('Check 4');
  }, 60_000);
});
