// A kubeconfig for fake clusters: one cluster, user and context per fake, with the fake's
// self-signed certificate as certificate-authority-data and its bearer token. Written as JSON,
// which is YAML, so kubectl and client-node read it as they read any kubeconfig.

import { writeFile } from 'node:fs/promises';

export interface KubeconfigTarget {
  readonly url: string;
  readonly token: string;
  readonly caPem: string;
}

export interface KubeconfigEntry {
  context: string;
  cluster: KubeconfigTarget;
  /** Defaults to the cluster's own token; set it to test a wrong one. */
  token?: string;
  namespace?: string;
}

export function kubeconfigText(entries: readonly KubeconfigEntry[]): string {
  if (entries.length === 0) throw new RangeError('writeKubeconfig: at least one context is needed');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': entries[0]!.context,
    clusters: entries.map((e) => ({
      name: e.context,
      cluster: { server: e.cluster.url, 'certificate-authority-data': Buffer.from(e.cluster.caPem).toString('base64') },
    })),
    users: entries.map((e) => ({ name: e.context, user: { token: e.token ?? e.cluster.token } })),
    contexts: entries.map((e) => ({
      name: e.context,
      context: { cluster: e.context, user: e.context, ...(e.namespace ? { namespace: e.namespace } : {}) },
    })),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes a kubeconfig whose current context is the first entry's; mode 0600 like kubectl's. */
export async function writeKubeconfig(path: string, entries: readonly KubeconfigEntry[]): Promise<void> {
  await writeFile(path, kubeconfigText(entries), { mode: 0o600 });
}
