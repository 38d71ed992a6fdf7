import {
  DIVIDER,
  context,
  esc,
  fields,
  header,
  listSection,
  message,
  section,
  type Block,
  type SlackMessage,
} from './slack-blocks.js';

/**
 * What Slack is told, as pure functions of plain inputs: the outbox stores the payload, so the
 * same input must give the same bytes (no clock here, times come in), and nothing from the
 * executor's or the store's types leaks in, so the wording can be tested without either.
 * Every string from a fleet (workload, zone, reason, file) goes through `esc`: a workload named
 * `<!channel>` must show as text, not page a channel.
 */

export interface RunSummaryInput {
  readonly runId: number;
  readonly fleet: string;
  /** When the run finished, ISO 8601. */
  readonly atIso: string;
  readonly beforeGPerH: number;
  readonly afterGPerH: number;
  /** The proven optimality gap as a fraction (0.012 = 1.2 %); null when no bound was proven. */
  readonly gap: number | null;
  readonly done: readonly { readonly workload: string; readonly from: string; readonly to: string }[];
  readonly rolledBack: readonly {
    readonly workload: string;
    readonly from: string;
    readonly to: string;
    readonly reason: string;
  }[];
}

/** Where a constraint is written: one of the conflicting intents of an unprovable State. */
export interface ConstraintSite {
  readonly constraint: string;
  readonly file: string;
  readonly line: number;
}

/** Facts shared by every exception: when it was raised, and the run it came from, if any. */
interface ExceptionBase {
  readonly atIso: string;
  readonly runId?: number;
}

export type ExceptionInput = ExceptionBase &
  (
    | { readonly kind: 'unprovable'; readonly obligation: string; readonly conflicts: readonly ConstraintSite[] }
    | {
        readonly kind: 'rollback';
        readonly workload: string;
        readonly from: string;
        readonly to: string;
        readonly reason: string;
        /** What the rollback removed from the target (the journal's `deleted`). */
        readonly deleted: readonly string[];
        /** The readiness evidence that failed, when the rollback came from a measurement. */
        readonly evidence?: { readonly samples: number; readonly p99Ms: number; readonly boundMs?: number };
      }
    | { readonly kind: 'stale-feed'; readonly zone: string; readonly ageSeconds: number }
    | {
        readonly kind: 'unreachable-cluster';
        readonly region: string;
        readonly cluster: string;
        readonly reason?: string;
      }
    | { readonly kind: 'breaker'; readonly node: string; readonly destination: string }
    | {
        readonly kind: 'drift';
        /** The intent check that stopped holding (`intent/constraint`), where, and why. */
        readonly check: string;
        readonly region: string;
        readonly reason: string;
        /** What on_drift said to do, and what was done. */
        readonly action: string;
        readonly remediation?: string;
      }
    | {
        readonly kind: 'config-rejected';
        readonly file: string;
        readonly line: number;
        readonly col: number;
        readonly message: string;
      }
  );

/** Numbers are formatted by hand, not with `toLocaleString`: the payload must not depend on the host's locale. */
function grams(g: number): string {
  return Number.isFinite(g) ? `${g.toFixed(1)} gCO2eq/h` : 'n/a';
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

function savedText(before: number, after: number): string {
  const saved = before - after;
  if (!Number.isFinite(saved)) return 'n/a';
  const share = before > 0 ? ` (${percent(saved / before)})` : '';
  return saved >= 0 ? `${grams(saved)}${share}` : `none (${grams(-saved)} more)`;
}

function gapText(gap: number | null): string {
  return gap === null || !Number.isFinite(gap) ? 'no bound proven' : `within ${percent(gap)} of optimal`;
}

function moveLine(m: { readonly workload: string; readonly from: string; readonly to: string }): string {
  return `${esc(m.workload)}: ${esc(m.from)} → ${esc(m.to)}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The one message for a run that moved something (or tried to and rolled back). */
export function runSummaryMessage(s: RunSummaryInput): SlackMessage {
  const moved = plural(s.done.length, 'workload');
  const blocks: Block[] = [
    header(`shisa run #${s.runId} moved ${moved}`),
    fields([
      ['Run', `#${s.runId}`],
      ['Fleet', esc(s.fleet)],
      ['Emissions', `${grams(s.beforeGPerH)} → ${grams(s.afterGPerH)}`],
      ['Saved', savedText(s.beforeGPerH, s.afterGPerH)],
      ['Optimality gap', gapText(s.gap)],
      ['Rolled back', `${s.rolledBack.length}`],
    ]),
  ];
  if (s.done.length > 0) blocks.push(DIVIDER, listSection(`*Moved (${s.done.length})*`, s.done.map(moveLine)));
  if (s.rolledBack.length > 0) {
    const lines = s.rolledBack.map((r) => `${moveLine(r)} — ${esc(r.reason)}`);
    blocks.push(DIVIDER, listSection(`*Rolled back (${s.rolledBack.length})*`, lines));
  }
  blocks.push(context(`Run #${s.runId} · ${esc(s.atIso)}`));
  const back = s.rolledBack.length > 0 ? ` ${s.rolledBack.length} rolled back.` : '';
  const text =
    `shisa run #${s.runId} on ${esc(s.fleet)} moved ${moved}: ` +
    `${grams(s.beforeGPerH)} → ${grams(s.afterGPerH)}, saved ${savedText(s.beforeGPerH, s.afterGPerH)}.${back}`;
  return message(text, blocks);
}

/**
 * Headers hold only these fixed words: a header is plain_text, which Slack shows as is, so
 * escaping outside text there would show `&lt;` and not escaping it is a bet on Slack's parser.
 */
const TITLES: Readonly<Record<ExceptionInput['kind'], string>> = {
  unprovable: 'Unprovable State',
  rollback: 'Move rolled back',
  'stale-feed': 'Stale carbon feed',
  'unreachable-cluster': 'Cluster unreachable',
  breaker: 'Breaker open',
  'config-rejected': 'Configuration rejected',
  drift: 'Drift',
};

/** What an exception is about, in a few words of escaped mrkdwn: the fallback text and the resolved line. */
function subject(e: ExceptionInput): string {
  switch (e.kind) {
    case 'unprovable':
      return `Unprovable: ${esc(e.obligation)}`;
    case 'rollback':
      return `Rolled back: ${esc(e.workload)} (${esc(e.from)} → ${esc(e.to)})`;
    case 'stale-feed':
      return `Stale carbon feed: ${esc(e.zone)}`;
    case 'unreachable-cluster':
      return `Cluster unreachable: ${esc(e.region)}/${esc(e.cluster)}`;
    case 'breaker':
      return `Breaker open: ${esc(e.node)} → ${esc(e.destination)}`;
    case 'config-rejected':
      return `Configuration rejected: ${esc(e.file)}:${e.line}:${e.col}`;
    case 'drift':
      return `Drift: ${esc(e.check)} in ${esc(e.region)}`;
  }
}

/** `2 h 5 min`, `3 min 20 s`: the age of a feed as a person reads it. */
function age(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function rollbackBlocks(e: Extract<ExceptionInput, { kind: 'rollback' }>): Block[] {
  const facts: [string, string][] = [
    ['Workload', esc(e.workload)],
    ['Move', `${esc(e.from)} → ${esc(e.to)}`],
  ];
  if (e.evidence) {
    facts.push(['Samples', `${e.evidence.samples}`], ['p99', `${e.evidence.p99Ms} ms`]);
    if (e.evidence.boundMs !== undefined) facts.push(['Bound', `${e.evidence.boundMs} ms`]);
  }
  const deleted = e.deleted.length > 0 ? e.deleted.map(esc) : ['nothing to delete'];
  return [
    section(`*Reason:* ${esc(e.reason)}`),
    fields(facts),
    listSection(`*Removed from ${esc(e.to)}*`, deleted, 10),
  ];
}

/** The facts of each kind, beyond the header. */
function detailBlocks(e: ExceptionInput): Block[] {
  switch (e.kind) {
    case 'unprovable': {
      const sites = e.conflicts.map((c) => `${esc(c.constraint)} (${esc(c.file)}:${c.line})`);
      return [
        section('These constraints cannot all hold; nothing was planned until one of them changes.'),
        listSection(`*Conflicting constraints (${e.conflicts.length})*`, sites),
      ];
    }
    case 'rollback':
      return rollbackBlocks(e);
    case 'stale-feed':
      return [
        fields([
          ['Zone', esc(e.zone)],
          ['Age', age(e.ageSeconds)],
        ]),
      ];
    case 'unreachable-cluster': {
      const facts: [string, string][] = [
        ['Region', esc(e.region)],
        ['Cluster', esc(e.cluster)],
      ];
      if (e.reason !== undefined) facts.push(['Error', esc(e.reason)]);
      return [fields(facts)];
    }
    case 'breaker':
      return [
        fields([
          ['Node', esc(e.node)],
          ['Destination', esc(e.destination)],
        ]),
      ];
    case 'config-rejected':
      return [section(`\`${esc(e.file)}:${e.line}:${e.col}\`: ${esc(e.message)}`)];
    case 'drift':
      return [
        section(`*Reason:* ${esc(e.reason)}`),
        fields([
          ['on_drift', esc(e.action)],
          ['Done', esc(e.remediation ?? 'notified')],
        ]),
      ];
  }
}

function raised(e: ExceptionInput): Block {
  return context(e.runId !== undefined ? `Run #${e.runId} · ${esc(e.atIso)}` : esc(e.atIso));
}

/** One message per exception that needs a person. */
export function exceptionMessage(e: ExceptionInput): SlackMessage {
  return message(subject(e), [header(TITLES[e.kind]), section(subject(e)), ...detailBlocks(e), raised(e)]);
}

/** The short follow-up once the exception no longer holds. */
export function resolvedMessage(e: ExceptionInput): SlackMessage {
  const text = `Resolved: ${subject(e)}`;
  return message(text, [section(text), raised(e)]);
}
