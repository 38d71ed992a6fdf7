import { regionRulesOf } from '../promises/region-rules.js';
import type { Fleet } from '../../regions/fleet/model.js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../diagnostics/source-file.js';
import { indexUnique } from '../diagnostics/index-unique.js';
import { closestMatch } from '../diagnostics/suggest.js';
import { DUPLICATE_INTENT } from '../intent/checker.js';
import type { Intent, Located } from '../intent/model.js';
import { notEnforced } from '../intent/not-enforced.js';
import type { Workload } from '../inventory/model.js';
import { workloadMatcher } from '../inventory/pattern.js';

/** Looks up the text of a file by its display name, so cross-file errors can quote lines. */
export type SourceLookup = (file: string) => SourceFile | undefined;

interface Extra {
  expected?: string;
  hint?: string;
  severity?: 'warning';
  related?: { message: string; span: Span }[];
}

type Report = (code: string, message: string, span: Span, extra?: Extra) => void;

/** Reports into `out`, quoting the line of the file a span points into. */
function reporter(out: Diagnostic[], sources: SourceLookup): Report {
  return (code, message, span, extra = {}) => {
    const source = sources(span.file);
    out.push(diagnostic({ code, message, span, ...(source ? { source } : {}), ...extra }));
  };
}

/** `{ hint: 'did you mean "x"?' }` for the closest candidate, or nothing. */
function suggest(word: string, candidates: Iterable<string>): { hint?: string } {
  const near = closestMatch(word, candidates);
  return near ? { hint: `did you mean "${near}"?` } : {};
}

/**
 * The checks that need more than one file: intents against the fleet (regions, notify
 * channels, certifications, countries), the inventory against both, and intent names
 * across files; and a warning for each use of a construct nothing enforces yet.
 * Pure: it reads nothing, it only compares.
 */
export function crossCheck(
  fleet: Fleet,
  intents: readonly Intent[],
  workloads: readonly Workload[] | undefined,
  sources: SourceLookup,
  options: { readonly intentsComplete: boolean },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reporter(out, sources);

  const { byName, diagnostics: duplicates } = indexUnique(intents, (i) => i.name, DUPLICATE_INTENT, sources);
  // Duplicates within one file are the intent checker's to report.
  out.push(...duplicates.filter((d) => d.related?.[0]?.span.file !== d.span.file));
  checkIntentsAgainstFleet(fleet, intents, report);
  out.push(...notEnforced(intents, sources));

  if (workloads === undefined) return out;
  checkInventory(fleet, workloads, options.intentsComplete ? byName : undefined, report);
  checkIntentsAgainstInventory(intents, workloads, report);
  return out;
}

/**
 * The inventory part of crossCheck alone, for workloads read after the files were loaded
 * (from the clusters): regions, named intents and dependencies, and the intents' patterns
 * and dependencies against the workloads found.
 */
export function checkWorkloads(
  fleet: Fleet,
  intents: readonly Intent[],
  workloads: readonly Workload[],
  sources: SourceLookup,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reporter(out, sources);
  checkInventory(fleet, workloads, new Map(intents.map((i) => [i.name, i])), report);
  checkIntentsAgainstInventory(intents, workloads, report);
  return out;
}

/** Regions, notify channels, certifications and countries an intent names, against the fleet. */
function checkIntentsAgainstFleet(fleet: Fleet, intents: readonly Intent[], report: Report): void {
  const regionNames = [...fleet.regionsByName.keys()];
  const certifications = new Set(fleet.regions.flatMap((r) => r.compliance));
  for (const intent of intents) {
    for (const r of intent.target?.regions ?? []) {
      if (!fleet.regionsByName.has(r.value)) {
        report('intent/unknown-region', `target names unknown region "${r.value}"`, r.span, {
          expected: `a region of ${fleet.file}`,
          ...suggest(r.value, regionNames),
        });
      }
    }
    checkNotify(fleet, intent, report);
    for (const level of intent.compliance?.levels ?? []) {
      if (!certifications.has(level.value)) {
        report(
          'intent/unheld-certification',
          `no region holds "${level.value}"; this intent's workloads can run nowhere`,
          level.span,
          { severity: 'warning', ...suggest(level.value, certifications) },
        );
      }
    }
    // What residency allows is the promise model's reading of it (region-rules.ts), not a second one.
    const allow = intent.residency?.allow;
    const residency = regionRulesOf(intent, fleet.regions).find((r) => r.kind === 'residency');
    if (allow && residency?.allowed.size === 0) {
      report(
        'intent/no-allowed-region',
        `no region is in an allowed country (${allow.map((c) => c.value).join(', ')})`,
        intent.residency?.span ?? intent.span,
        { severity: 'warning' },
      );
    }
  }
}

/** The channel `on_drift(notify: …)` names: defined in the fleet, and hearing about drift. */
function checkNotify(fleet: Fleet, intent: Intent, report: Report): void {
  const notify = intent.onDrift?.notify;
  if (!notify) return;
  const channel = fleet.notify.get(notify.value);
  if (channel && !channel.events.includes('exceptions')) {
    const events = channel.events.join(', ') || 'nothing';
    report(
      'intent/channel-ignores-drift',
      `on_drift notifies "${notify.value}", but that channel only receives ${events}: drift reports would be dropped`,
      notify.span,
      {
        severity: 'warning',
        hint: `add exceptions to notify.${notify.value}.events in ${fleet.file}`,
      },
    );
  }
  if (!channel) {
    report(
      'intent/unknown-channel',
      `on_drift notifies "${notify.value}", which ${fleet.file} does not define under notify`,
      notify.span,
      {
        expected: fleet.notify.size
          ? `one of ${[...fleet.notify.keys()].join(', ')}`
          : 'a channel defined under notify in the fleet file',
        ...suggest(notify.value, fleet.notify.keys()),
      },
    );
  }
}

/** Inventory workloads: their regions, the intents they name (when all intents loaded) and their dependencies. */
function checkInventory(
  fleet: Fleet,
  workloads: readonly Workload[],
  intentsByName: ReadonlyMap<string, Intent> | undefined,
  report: Report,
): void {
  const regionNames = [...fleet.regionsByName.keys()];
  for (const w of workloads) {
    if (!fleet.regionsByName.has(w.region)) {
      report('inventory/unknown-region', `workload "${w.name}" runs in unknown region "${w.region}"`, w.span, {
        expected: `a region of ${fleet.file}`,
        ...suggest(w.region, regionNames),
      });
    }
    if (intentsByName !== undefined && w.intent !== undefined && !intentsByName.has(w.intent)) {
      report('inventory/unknown-intent', `workload "${w.name}" names unknown intent "${w.intent}"`, w.span, {
        expected: "an intent declared in the fleet's intent files",
        ...suggest(w.intent, intentsByName.keys()),
      });
    }
  }
  const names = workloads.map((w) => w.name);
  const known = new Set(names);
  for (const w of workloads) {
    for (const dep of w.dependsOn) {
      if (!known.has(dep.value)) {
        report(
          'inventory/unknown-dependency',
          `workload "${w.name}" depends on "${dep.value}", which is not in the inventory`,
          dep.span,
          {
            expected: 'the namespace/name of a workload in this inventory',
            ...suggest(dep.value, names),
          },
        );
      }
    }
  }
}

/** Every dependency pattern and `workloads(...)` pattern of an intent must match an inventory workload. */
function checkIntentsAgainstInventory(
  intents: readonly Intent[],
  workloads: readonly Workload[],
  report: Report,
): void {
  const names = workloads.map((w) => w.name);
  const matchesNothing = (p: Located<string>): boolean => {
    const m = workloadMatcher(p.value);
    return !names.some(m);
  };
  for (const intent of intents) {
    const deps = [
      ...intent.dependsOn,
      ...intent.latency.flatMap((l) => l.to),
      ...intent.circuitBreakers.flatMap((b) => b.to),
    ];
    for (const d of deps) {
      if (matchesNothing(d)) {
        report('intent/unknown-dependency', `dependency "${d.value}" matches no workload in the inventory`, d.span, {
          expected: 'a workload name (namespace/name) or pattern from the inventory',
          ...suggest(d.value, names),
        });
      }
    }
    for (const p of intent.workloads) {
      if (matchesNothing(p)) {
        report('intent/matches-nothing', `workloads("${p.value}") matches no workload in the inventory`, p.span, {
          severity: 'warning',
        });
      }
    }
  }
}
