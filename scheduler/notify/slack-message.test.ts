import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  context,
  esc,
  header,
  message,
  section,
  truncate,
  type Block,
  type SlackMessage,
} from './slack-blocks.js';
import {
  exceptionMessage,
  resolvedMessage,
  runSummaryMessage,
  type ExceptionInput,
  type RunSummaryInput,
} from './slack-message.js';

const AT = '2026-12-03T19:00:00Z';

const SUMMARY: RunSummaryInput = {
  runId: 42,
  fleet: 'prod & co',
  atIso: AT,
  beforeGPerH: 1200,
  afterGPerH: 900.5,
  gap: 0.012,
  done: [
    { workload: 'payments/ledger', from: 'tokyo', to: 'finland' },
    { workload: 'web/frontend', from: 'osaka', to: 'finland' },
  ],
  rolledBack: [{ workload: 'batch/etl', from: 'tokyo', to: 'osaka', reason: 'not ready after 300 s' }],
};

/** Every string a person (or Slack's parser) will read in the payload, blocks and fallback. */
function allText(m: SlackMessage): string[] {
  const out = [m.text];
  for (const b of m.blocks) {
    if (b.type === 'header') out.push(b.text.text);
    if (b.type === 'section') out.push(...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text));
    if (b.type === 'context') out.push(...b.elements.map((e) => e.text));
  }
  return out;
}

/** Slack's per-block limits, checked on every message the tests build. */
function expectWithinLimits(m: SlackMessage): void {
  expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  expect(m.text.length).toBeLessThanOrEqual(LIMITS.fallbackChars);
  for (const b of m.blocks) {
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.headerChars);
    if (b.type === 'section') {
      expect(b.text !== undefined || (b.fields?.length ?? 0) > 0).toBe(true);
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.sectionTextChars);
      expect((b.fields ?? []).length).toBeLessThanOrEqual(LIMITS.fields);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(LIMITS.fieldChars);
    }
  }
}

function sectionText(m: SlackMessage, startsWith: string): string {
  const found = m.blocks.find(
    (b): b is Extract<Block, { type: 'section' }> => b.type === 'section' && !!b.text?.text.startsWith(startsWith),
  );
  if (!found?.text) throw new Error(`no section starting with ${startsWith}`);
  return found.text.text;
}

describe('runSummaryMessage', () => {
  it('renders the golden payload', () => {
    expect(runSummaryMessage(SUMMARY)).toEqual({
      text:
        'shisa run #42 on prod &amp; co moved 2 workloads: 1200.0 gCO2eq/h → 900.5 gCO2eq/h, ' +
        'saved 299.5 gCO2eq/h (25.0 %). 1 rolled back.',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'shisa run #42 moved 2 workloads' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Run*\n#42' },
            { type: 'mrkdwn', text: '*Fleet*\nprod &amp; co' },
            { type: 'mrkdwn', text: '*Emissions*\n1200.0 gCO2eq/h → 900.5 gCO2eq/h' },
            { type: 'mrkdwn', text: '*Saved*\n299.5 gCO2eq/h (25.0 %)' },
            { type: 'mrkdwn', text: '*Optimality gap*\nwithin 1.2 % of optimal' },
            { type: 'mrkdwn', text: '*Rolled back*\n1' },
          ],
        },
        { type: 'divider' },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Moved (2)*\n• payments/ledger: tokyo → finland\n• web/frontend: osaka → finland',
          },
        },
        { type: 'divider' },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Rolled back (1)*\n• batch/etl: tokyo → osaka — not ready after 300 s' },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Run #42 · 2026-12-03T19:00:00Z' }] },
      ],
    });
  });

  it('says the essentials in the fallback text', () => {
    const { text } = runSummaryMessage({ ...SUMMARY, fleet: 'prod', rolledBack: [] });
    expect(text).toContain('#42');
    expect(text).toContain('prod');
    expect(text).toContain('moved 2 workloads');
    expect(text).toContain('1200.0 gCO2eq/h → 900.5 gCO2eq/h');
    expect(text).toContain('saved 299.5 gCO2eq/h');
    expect(text).not.toContain('rolled back');
  });

  it('keeps 500 moves and 500 rollbacks within Slack limits and says how many were left out', () => {
    const done = Array.from({ length: 500 }, (_, i) => ({ workload: `ns/app-${i}`, from: 'tokyo', to: 'finland' }));
    const rolledBack = done.map((m) => ({ ...m, reason: 'r'.repeat(300) }));
    const m = runSummaryMessage({ ...SUMMARY, done, rolledBack });
    expectWithinLimits(m);
    const moved = sectionText(m, '*Moved (500)*');
    const shown = moved.split('\n').filter((l) => l.startsWith('• ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(moved).toMatch(new RegExp(`\\n… and ${500 - shown} more$`));
    expect(moved).toContain('• ns/app-0: tokyo → finland');
    const back = sectionText(m, '*Rolled back (500)*');
    const backShown = back.split('\n').filter((l) => l.startsWith('• ')).length;
    expect(back).toMatch(new RegExp(`\\n… and ${500 - backShown} more$`));
    expect(m.text).toContain('moved 500 workloads');
  });

  it('escapes mrkdwn in names so a workload cannot mention a channel or make a link', () => {
    const m = runSummaryMessage({
      ...SUMMARY,
      fleet: 'f<@U123>',
      done: [{ workload: 'web/<!channel>', from: '<http://evil|tokyo>', to: 'fin\u0000land\n*x*' }],
      rolledBack: [{ workload: 'a&b', from: 'x', to: 'y', reason: '<!here> \u202Egnp.exe' }],
    });
    const texts = allText(m);
    for (const t of texts) {
      expect(t).not.toMatch(/<[!@#]/);
      expect(t).not.toContain('<http');
      const controls = [...t].filter((c) => (c < ' ' && c !== '\n') || c === '\u202e');
      expect(controls).toEqual([]);
    }
    expect(sectionText(m, '*Moved')).toContain('web/&lt;!channel&gt;: &lt;http://evil|tokyo&gt; → finland*x*');
    expect(sectionText(m, '*Rolled back')).toContain('a&amp;b: x → y — &lt;!here&gt; gnp.exe');
    expect(m.text).toContain('f&lt;@U123&gt;');
  });

  it('reports no proven bound, a rise in emissions and unknown figures plainly', () => {
    const m = runSummaryMessage({ ...SUMMARY, gap: null, beforeGPerH: 100, afterGPerH: 150 });
    const texts = allText(m).join('\n');
    expect(texts).toContain('*Optimality gap*\nno bound proven');
    expect(texts).toContain('*Saved*\nnone (50.0 gCO2eq/h more)');
    expect(allText(runSummaryMessage({ ...SUMMARY, beforeGPerH: NaN })).join('\n')).toContain('n/a → 900.5');
  });

  it('is deterministic and frozen', () => {
    const a = runSummaryMessage(SUMMARY);
    expect(JSON.stringify(a)).toBe(JSON.stringify(runSummaryMessage(SUMMARY)));
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.blocks)).toBe(true);
    expect(Object.isFrozen(a.blocks[0])).toBe(true);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

const EXCEPTIONS: readonly ExceptionInput[] = [
  {
    kind: 'unprovable',
    atIso: AT,
    runId: 7,
    obligation: 'residency of payments/ledger',
    conflicts: [
      { constraint: 'payments/* stays in jp', file: 'fleet/intents.yaml', line: 12 },
      { constraint: 'payments/ledger runs in eu', file: 'fleet/payments.yaml', line: 3 },
    ],
  },
  {
    kind: 'rollback',
    atIso: AT,
    runId: 7,
    workload: 'payments/ledger',
    from: 'tokyo',
    to: 'finland',
    reason: 'p99 latency over bound',
    deleted: ['Deployment payments/ledger', 'ConfigMap payments/ledger-config'],
    evidence: { samples: 120, p99Ms: 840, boundMs: 500 },
  },
  { kind: 'stale-feed', atIso: AT, zone: 'JP-TK', ageSeconds: 7500 },
  { kind: 'unreachable-cluster', atIso: AT, region: 'osaka', cluster: 'osaka-1', reason: 'connect ECONNREFUSED' },
  { kind: 'breaker', atIso: AT, node: 'node-a', destination: 'db.internal:5432' },
  {
    kind: 'config-rejected',
    atIso: AT,
    file: 'fleet.yaml',
    line: 14,
    col: 5,
    message: 'unknown key "regoin"',
  },
  {
    kind: 'drift',
    atIso: AT,
    check: 'payments/ledger-latency',
    region: 'tokyo',
    reason: 'p99 82 ms over the 50 ms bound',
    action: 'alert',
  },
];

function exceptionOf<K extends ExceptionInput['kind']>(kind: K): Extract<ExceptionInput, { kind: K }> {
  return EXCEPTIONS.find((e): e is Extract<ExceptionInput, { kind: K }> => e.kind === kind)!;
}

describe('exceptionMessage', () => {
  it('renders the golden payload (a rollback)', () => {
    expect(exceptionMessage(exceptionOf('rollback'))).toEqual({
      text: 'Rolled back: payments/ledger (tokyo → finland)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Move rolled back' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'Rolled back: payments/ledger (tokyo → finland)' } },
        { type: 'section', text: { type: 'mrkdwn', text: '*Reason:* p99 latency over bound' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Workload*\npayments/ledger' },
            { type: 'mrkdwn', text: '*Move*\ntokyo → finland' },
            { type: 'mrkdwn', text: '*Samples*\n120' },
            { type: 'mrkdwn', text: '*p99*\n840 ms' },
            { type: 'mrkdwn', text: '*Bound*\n500 ms' },
          ],
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Removed from finland*\n• Deployment payments/ledger\n• ConfigMap payments/ledger-config',
          },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Run #7 · 2026-12-03T19:00:00Z' }] },
      ],
    });
  });

  const facts: Record<ExceptionInput['kind'], readonly string[]> = {
    unprovable: [
      'Unprovable: residency of payments/ledger',
      'payments/* stays in jp (fleet/intents.yaml:12)',
      'payments/ledger runs in eu (fleet/payments.yaml:3)',
      'Run #7',
    ],
    rollback: ['payments/ledger', 'tokyo → finland', '*Samples*\n120', '*p99*\n840 ms', '*Bound*\n500 ms'],
    'stale-feed': ['Stale carbon feed: JP-TK', '*Zone*\nJP-TK', '*Age*\n2 h 5 min'],
    'unreachable-cluster': ['osaka/osaka-1', '*Region*\nosaka', '*Cluster*\nosaka-1', 'ECONNREFUSED'],
    breaker: ['Breaker open: node-a → db.internal:5432', '*Node*\nnode-a', '*Destination*\ndb.internal:5432'],
    'config-rejected': ['fleet.yaml:14:5', 'unknown key "regoin"'],
    drift: ['Drift: payments/ledger-latency in tokyo', 'p99 82 ms over the 50 ms bound', '*on_drift*\nalert'],
  };

  it.each(EXCEPTIONS.map((e) => [e.kind, e] as const))('renders the facts of %s', (kind, e) => {
    const m = exceptionMessage(e);
    expectWithinLimits(m);
    const texts = allText(m).join('\n');
    for (const fact of facts[kind]) expect(texts).toContain(fact);
    expect(m.blocks[0]?.type).toBe('header');
    expect(m.text.length).toBeGreaterThan(0);
    expect(texts).toContain(AT);
  });

  it('renders a rollback without evidence and with nothing deleted', () => {
    const m = exceptionMessage({ ...exceptionOf('rollback'), evidence: undefined, deleted: [] });
    const texts = allText(m).join('\n');
    expect(texts).not.toContain('*Samples*');
    expect(texts).toContain('• nothing to delete');
  });

  it('shows evidence without a bound when none was given', () => {
    const e = exceptionOf('rollback');
    const texts = allText(exceptionMessage({ ...e, evidence: { samples: 3, p99Ms: 12.5 } })).join('\n');
    expect(texts).toContain('*p99*\n12.5 ms');
    expect(texts).not.toContain('*Bound*');
  });

  it('keeps hundreds of conflicts and a huge message within Slack limits', () => {
    const conflicts = Array.from({ length: 400 }, (_, i) => ({ constraint: `c${i}`, file: 'f.yaml', line: i + 1 }));
    const m = exceptionMessage({ ...exceptionOf('unprovable'), obligation: 'o'.repeat(5000), conflicts });
    expectWithinLimits(m);
    expect(sectionText(m, '*Conflicting constraints (400)*')).toMatch(/… and \d+ more$/);
    expect(sectionText(m, 'Unprovable: ooo')).toMatch(/^Unprovable: o+…$/);
    expectWithinLimits(exceptionMessage({ ...exceptionOf('config-rejected'), message: '<'.repeat(5000) }));
  });

  it('escapes outside text in every kind', () => {
    const evil = '<!channel>';
    const inputs: ExceptionInput[] = [
      { kind: 'stale-feed', atIso: AT, zone: evil, ageSeconds: 30 },
      { kind: 'breaker', atIso: AT, node: evil, destination: evil },
      { kind: 'unreachable-cluster', atIso: AT, region: evil, cluster: evil },
      { kind: 'config-rejected', atIso: AT, file: evil, line: 1, col: 1, message: evil },
      { kind: 'unprovable', atIso: AT, obligation: evil, conflicts: [{ constraint: evil, file: evil, line: 1 }] },
    ];
    for (const e of inputs) {
      const m = exceptionMessage(e);
      for (const t of allText(m)) expect(t).not.toContain(evil);
      expect(m.text).toContain('&lt;!channel&gt;');
      expect(resolvedMessage(e).text).not.toContain(evil);
    }
  });
});

describe('resolvedMessage', () => {
  it('renders the golden payload (a stale feed)', () => {
    expect(resolvedMessage(exceptionOf('stale-feed'))).toEqual({
      text: 'Resolved: Stale carbon feed: JP-TK',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'Resolved: Stale carbon feed: JP-TK' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '2026-12-03T19:00:00Z' }] },
      ],
    });
  });

  it.each(EXCEPTIONS.map((e) => [e.kind, e] as const))('is short for %s', (_kind, e) => {
    const m = resolvedMessage(e);
    expect(m.text).toMatch(/^Resolved: /);
    expect(m.blocks.length).toBeLessThanOrEqual(2);
    expect(m.text.length).toBeLessThan(200);
  });
});

describe('slack-blocks helpers', () => {
  it('escapes &, < and > and strips control characters', () => {
    expect(esc('a & <b> \u0007\u001b[31m\u202e')).toBe('a &amp; &lt;b&gt; [31m');
  });

  it('cuts a long header to 150 characters and strips its control characters', () => {
    const h = header(`a\u0000${'x'.repeat(300)}`);
    expect(h).toEqual({ type: 'header', text: { type: 'plain_text', text: `a${'x'.repeat(148)}…` } });
  });

  it('keeps at most 50 blocks, the last saying how many were cut, and freezes them', () => {
    const m = message(
      't',
      Array.from({ length: 60 }, (_, i) => section(`s${i}`)),
    );
    expect(m.blocks).toHaveLength(50);
    expect(m.blocks[48]).toEqual(section('s48'));
    expect(m.blocks[49]).toEqual(context('… and 11 more'));
    expect(Object.isFrozen(m.blocks[0])).toBe(true);
  });

  it('never cuts an entity or a surrogate pair in half', () => {
    expect(truncate('abc&amp;def', 6)).toBe('abc…');
    expect(truncate('abcde&lt;', 8)).toBe('abcde…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('short', 5)).toBe('short');
  });
});
