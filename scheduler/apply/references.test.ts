import { describe, expect, it } from 'vitest';
import { podLabels, references, refersTo, selects } from './references.js';

const workload = {
  kind: 'Deployment',
  spec: {
    template: {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: {
        serviceAccountName: 'web-sa',
        imagePullSecrets: [{ name: 'registry' }],
        volumes: [
          { name: 'a', configMap: { name: 'cfg' } },
          { name: 'b', secret: { secretName: 'tls' } },
          { name: 'c', projected: { sources: [{ configMap: { name: 'extra' } }, { secret: { name: 'token' } }] } },
          { name: 'd', emptyDir: {} },
        ],
        initContainers: [{ envFrom: [{ configMapRef: { name: 'init-cfg' } }] }],
        containers: [
          {
            envFrom: [{ secretRef: { name: 'env-secret' } }],
            env: [
              { name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'x' } } },
              { name: 'Y', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
              { name: 'Z', value: 'plain' },
            ],
          },
        ],
      },
    },
  },
};

describe('references', () => {
  it('finds every ConfigMap, Secret and the ServiceAccount a pod template names, once each, sorted', () => {
    expect(references(workload)).toEqual({
      configMaps: ['cfg', 'extra', 'init-cfg'],
      secrets: ['db', 'env-secret', 'registry', 'tls', 'token'],
      serviceAccount: 'web-sa',
    });
    expect(refersTo(workload, 'Secret', 'db')).toBe(true);
    expect(refersTo(workload, 'ConfigMap', 'db')).toBe(false);
  });

  it("reads a CronJob's job template, leaves out the default ServiceAccount, and ignores malformed entries", () => {
    const cron = {
      kind: 'CronJob',
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                serviceAccountName: 'default',
                volumes: [null, 3, { configMap: { name: 7 } }, { configMap: { name: 'ok' } }],
              },
            },
          },
        },
      },
    };
    expect(references(cron)).toEqual({ configMaps: ['ok'], secrets: [] });
    expect(references({ kind: 'Deployment', spec: 'nonsense' })).toEqual({ configMaps: [], secrets: [] });
  });

  it('says which Services select the pods: every selector label must match; no selector selects nothing', () => {
    const labels = podLabels(workload);
    expect(selects({ spec: { selector: { app: 'web' } } }, labels)).toBe(true);
    expect(selects({ spec: { selector: { app: 'web', tier: 'back' } } }, labels)).toBe(false);
    expect(selects({ spec: {} }, labels)).toBe(false);
  });
});
