import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../../../scheduler/intent/index.js';
import { unreadClusterFindings } from './unread-clusters.js';

const SOURCE = new SourceFile(
  'pins.intent',
  [
    'intent "tokyo-only" {',
    '  target nodes("tokyo") {',
    '    ensure(traffic_policy: "mTLS-strict")',
    '  }',
    '}',
    'intent "anywhere" {',
    '  ensure(traffic_policy: "plaintext")',
    '  ensure(traffic_policy: "plaintext")',
    '}',
    'intent "no-ensure" {',
    '}',
  ].join('\n'),
);
const intents = loadIntentSource(SOURCE).intents;

describe('unreadClusterFindings', () => {
  it('leaves unchecked each policy of each intent that may run in the unread region, once', () => {
    const found = unreadClusterFindings(intents, [
      { region: 'osaka', cluster: 'gke-osaka', why: 'connection refused' },
      { region: 'tokyo', cluster: 'gke-tokyo', why: '401 Unauthorized' },
    ]);
    expect(found.map((f) => [f.code, f.cluster, f.intent, f.required, f.workload, f.span.line])).toEqual([
      ['traffic-policy-unchecked', 'gke-osaka', 'anywhere', 'plaintext', '', 7],
      ['traffic-policy-unchecked', 'gke-tokyo', 'anywhere', 'plaintext', '', 7],
      ['traffic-policy-unchecked', 'gke-tokyo', 'tokyo-only', 'mTLS-strict', '', 3],
    ]);
    expect(found[2]?.message).toBe(
      'ensure(traffic_policy: "mTLS-strict") of intent "tokyo-only" cannot be checked in cluster gke-tokyo ' +
        '(region tokyo): the cluster could not be read (401 Unauthorized), so which workloads run there and ' +
        'which PeerAuthentications apply to them is unknown',
    );
  });

  it('says nothing when every cluster was read', () => {
    expect(unreadClusterFindings(intents, [])).toEqual([]);
  });
});
