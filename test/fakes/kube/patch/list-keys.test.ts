import { describe, expect, it } from 'vitest';

import { isAtomicMapAt, listStrategyAt } from './list-keys.js';

describe('listStrategyAt', () => {
  it.each([
    [['spec', 'containers'], { type: 'map', key: 'name' }],
    [['spec', 'template', 'spec', 'initContainers'], { type: 'map', key: 'name' }],
    [['spec', 'containers', 'ports'], { type: 'map', key: 'containerPort' }],
    [['spec', 'initContainers', 'env'], { type: 'map', key: 'name' }],
    [['spec', 'ephemeralContainers', 'volumeMounts'], { type: 'map', key: 'mountPath' }],
    [['spec', 'ports'], { type: 'map', key: 'port' }],
    [['metadata', 'ownerReferences'], { type: 'map', key: 'uid' }],
    [['metadata', 'finalizers'], { type: 'set' }],
    [['status', 'conditions'], { type: 'map', key: 'type' }],
    [['status', 'addresses'], { type: 'map', key: 'type' }],
  ] as const)('%j is %j', (path, strategy) => {
    expect(listStrategyAt(path)).toEqual(strategy);
  });

  it.each([
    [['spec', 'template', 'spec', 'tolerations']],
    [['spec', 'containers', 'args']],
    [['spec', 'containers', 'envFrom']],
    // `ports` outside a container or a Service spec (load-balancer status) is not merged by port.
    [['status', 'loadBalancer', 'ingress', 'ports']],
    [['spec', 'template', 'spec', 'ports']],
    [['finalizers']],
  ])('%j is atomic', (path) => {
    expect(listStrategyAt(path)).toEqual({ type: 'atomic' });
  });
});

describe('isAtomicMapAt', () => {
  it('knows selectors and references, not ordinary maps', () => {
    expect(isAtomicMapAt(['spec', 'selector'])).toBe(true);
    expect(isAtomicMapAt(['spec', 'template', 'spec', 'containers', 'env', 'valueFrom', 'secretKeyRef'])).toBe(true);
    expect(isAtomicMapAt(['spec', 'template', 'metadata', 'labels'])).toBe(false);
    expect(isAtomicMapAt(['spec', 'selector', 'matchLabels'])).toBe(false);
  });
});
