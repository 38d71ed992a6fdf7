import { z } from 'zod';

/**
 * The parts of a kubeconfig file shisa reads, checked before the Kubernetes client sees them
 * so that a broken file is an error at its line and column. Anything else a kubeconfig may
 * hold (preferences, extensions, auth-provider details) passes through untouched. Users are
 * checked for shape only: their values are credentials and are never quoted back.
 */
const clusterEntry = z.looseObject({
  name: z.string().min(1),
  cluster: z.looseObject({
    server: z
      .string()
      .regex(/^https?:\/\/[^\s/]+/, { error: 'expected the API server URL, e.g. https://10.0.0.1:6443' }),
    'certificate-authority': z.string().min(1).optional(),
    'certificate-authority-data': z.string().min(1).optional(),
    'insecure-skip-tls-verify': z.boolean().optional(),
    'tls-server-name': z.string().min(1).optional(),
  }),
});

const userEntry = z.looseObject({ name: z.string().min(1), user: z.record(z.string(), z.unknown()) });

const contextEntry = z.looseObject({
  name: z.string().min(1),
  context: z.looseObject({
    cluster: z.string().min(1),
    user: z.string().min(1).optional(),
    namespace: z.string().optional(),
  }),
});

export const kubeconfigSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  'current-context': z.string().optional(),
  clusters: z.array(clusterEntry).nullable().default([]),
  users: z.array(userEntry).nullable().default([]),
  contexts: z.array(contextEntry).nullable().default([]),
});

export type KubeconfigData = z.output<typeof kubeconfigSchema>;
