import type { Region } from '../../regions/fleet/model.js';
import type { Intent } from '../intent/model.js';
import type { RegionRule, Terms } from './model.js';

/**
 * The compliance, residency and target constraints of one intent as rules over the fleet's
 * regions: the only place those constructs are read.
 */
export function regionRulesOf(intent: Intent, regions: readonly Region[]): RegionRule[] {
  const rules: RegionRule[] = [];
  const all = regions.map((_r, k) => k);
  const allowing = (ok: (r: Region) => boolean): ReadonlySet<number> => new Set(all.filter((k) => ok(regions[k]!)));
  if (intent.compliance) {
    const levels = intent.compliance.levels.map((l) => l.value);
    rules.push({
      kind: 'compliance',
      levels,
      ref: {
        id: `compliance:${intent.name}`,
        kind: 'compliance',
        text: `intent "${intent.name}": compliance ${levels.join(', ')}`,
        span: intent.compliance.span,
      },
      allowed: allowing((r) => levels.every((l) => r.compliance.includes(l))),
    });
  }
  if (intent.residency) {
    const allowList = intent.residency.allow?.map((c) => c.value);
    const allow = allowList ? new Set(allowList) : undefined;
    const deny = new Set(intent.residency.deny.map((c) => c.value));
    const words = [
      ...(allowList ? [`allow ${allowList.join(', ')}`] : []),
      ...(deny.size ? [`deny ${[...deny].join(', ')}`] : []),
    ];
    rules.push({
      kind: 'residency',
      ...(allow ? { allow } : {}),
      deny,
      ref: {
        id: `residency:${intent.name}`,
        kind: 'residency',
        text: `intent "${intent.name}": residency ${words.join('; ')}`,
        span: intent.residency.span,
      },
      allowed: allowing((r) => !deny.has(r.country) && (!allow || allow.has(r.country))),
    });
  }
  if (intent.target) {
    const pinnedList = intent.target.regions.map((r) => r.value);
    const pinned = new Set(pinnedList);
    rules.push({
      kind: 'target',
      pinned,
      ref: {
        id: `target:${intent.name}`,
        kind: 'target',
        text: `intent "${intent.name}": target nodes(${pinnedList.join(', ')})`,
        span: intent.target.span,
      },
      allowed: allowing((r) => pinned.has(r.name)),
    });
  }
  return rules;
}

export type RuleKind = RegionRule['kind'];

/** The order the planner reports a ruled-out region in: the most specific reason first. */
const REPORT_ORDER: readonly RuleKind[] = ['target', 'compliance', 'residency'];

/**
 * Why a workload with these terms may not run in region `k`, in words, or undefined when
 * every rule allows it. The verdict is the rules' own; the words combine what every covering
 * intent says of the same kind (all certifications missing, the countries all allow).
 */
export function ruledOutBy(terms: Terms, region: Region, k: number): { kind: RuleKind; detail: string } | undefined {
  for (const kind of REPORT_ORDER) {
    const same = terms.rules.filter((r) => r.kind === kind);
    if (same.every((r) => r.allowed.has(k))) continue;
    return { kind, detail: detailFor(kind, same, region) };
  }
  return undefined;
}

function detailFor(kind: RuleKind, rules: readonly RegionRule[], region: Region): string {
  switch (kind) {
    case 'target':
      return `pinned to ${sorted(intersect(rules.map((r) => (r.kind === 'target' ? r.pinned : new Set<string>()))))}`;
    case 'compliance': {
      const levels = new Set(rules.flatMap((r) => (r.kind === 'compliance' ? r.levels : [])));
      const missing = [...levels].sort().filter((l) => !region.compliance.includes(l));
      return `${region.name} does not hold ${missing.join(', ')}`;
    }
    case 'residency': {
      const residency = rules.flatMap((r) => (r.kind === 'residency' ? [r] : []));
      if (residency.some((r) => r.deny.has(region.country))) return `${region.country} is denied`;
      const allow = intersect(residency.flatMap((r) => (r.allow ? [r.allow] : [])));
      return `${region.country} is not among ${sorted(allow)}`;
    }
  }
}

function intersect(sets: readonly ReadonlySet<string>[]): Set<string> {
  const [first, ...rest] = sets;
  return new Set([...(first ?? [])].filter((x) => rest.every((s) => s.has(x))));
}

function sorted(set: ReadonlySet<string>): string {
  return [...set].sort().join(', ');
}
