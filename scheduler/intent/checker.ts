import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { deepFreeze } from '../freeze.js';
import { formatDuration } from '../units.js';
import type { SourceFile, Span } from '../diagnostics/source-file.js';
import { clip } from '../diagnostics/clip.js';
import { indexUnique } from '../diagnostics/index-unique.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { CallStmt, ConstraintStmt, Expr, IntentDecl, IntentFileAst, TargetStmt, ValidateStmt } from './ast.js';
import {
  CONSTRAINTS,
  DEFAULTS,
  ITEM_KEYWORDS,
  MESHES,
  PREDICATES,
  STATEMENTS,
  TARGET_SELECTORS,
  type StatementSpec,
} from './catalogue.js';
import type {
  Assertion,
  CarbonConstraint,
  CircuitBreakerConstraint,
  ComplianceConstraint,
  DriftAction,
  DriftPolicy,
  EnsureRule,
  Intent,
  LatencyConstraint,
  Located,
  Mesh,
  Percentile,
  Placement,
  Predicate,
  ResidencyConstraint,
  StateExpr,
  Target,
  TrafficPolicy,
  VerifyMethod,
} from './model.js';
import { ValueChecker, type Checked } from './values.js';

/** Intent names become Kubernetes label values and Slack text: keep them plain. */
export const INTENT_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

export interface CheckResult {
  readonly intents: readonly Intent[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Gives an intent file's syntax tree its meaning: every constraint kind, key, value, unit,
 * statement and predicate is checked against the catalogue. Checks that need the fleet
 * (region names, notify channels) happen later, in the workspace loader.
 */
export function checkIntentFile(source: SourceFile, ast: IntentFileAst): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const values = new ValueChecker(source, diagnostics);
  const intents = ast.intents.map((decl) => deepFreeze(checkIntent(decl, source, values, diagnostics)));
  diagnostics.push(
    ...indexUnique(
      intents,
      (i) => i.name,
      DUPLICATE_INTENT,
      () => source,
    ).diagnostics,
  );
  return { intents, diagnostics };
}

/** The same name twice, in one file or (see cross-check) in two. */
export const DUPLICATE_INTENT = {
  code: 'intent/duplicate-intent',
  message: (n: string) => `intent "${n}" is declared twice`,
  verb: 'declared',
} as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function checkIntent(decl: IntentDecl, source: SourceFile, values: ValueChecker, diagnostics: Diagnostic[]): Intent {
  if (!INTENT_NAME.test(decl.name.value)) {
    values.report(
      'intent/bad-name',
      `"${clip(decl.name.value)}" is not a valid intent name`,
      decl.name,
      'lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 63 characters',
    );
  }
  const intent: Mutable<Intent> = {
    name: decl.name.value,
    span: values.span(decl.name),
    placement: DEFAULTS.placement,
    workloads: [],
    dependsOn: [],
    latency: [],
    circuitBreakers: [],
    ensure: [],
    assertions: [],
  };
  const once = new Map<string, { start: number; end: number }>();
  const single = (key: string, node: { start: number; end: number }, what: string): boolean => {
    const first = once.get(key);
    if (first) {
      diagnostics.push(
        diagnostic({
          code: 'intent/duplicate',
          message: `${what} is given twice in intent "${decl.name.value}"`,
          span: values.span(node),
          source,
          related: [{ message: 'first given', span: values.span(first) }],
          hint: 'merge the two into one',
        }),
      );
      return false;
    }
    once.set(key, node);
    return true;
  };

  for (const item of decl.items) {
    switch (item.kind) {
      case 'constraint':
        checkConstraint(item, intent, values, single);
        break;
      case 'target':
        if (single('target', item, 'target')) intent.target = checkTarget(item, intent, values, single);
        break;
      case 'validate':
        intent.assertions = [...intent.assertions, ...checkValidate(item, source, values)];
        break;
      case 'call':
        checkStatement(item, intent, values, single, 'intent');
        break;
    }
  }
  return intent;
}

function checkConstraint(
  c: ConstraintStmt,
  intent: Mutable<Intent>,
  values: ValueChecker,
  single: (key: string, node: ConstraintStmt, what: string) => boolean,
): void {
  const spec = CONSTRAINTS[c.name.name];
  if (spec === undefined) {
    const kinds = Object.keys(CONSTRAINTS);
    values.report(
      'intent/unknown-constraint',
      `unknown constraint kind "${clip(c.name.name)}"`,
      c.name,
      `one of ${kinds.join(', ')}`,
      didYouMean(c.name.name, kinds),
    );
    return;
  }
  if (!spec.repeatable && !single(`constraint ${c.name.name}`, c, `constraint ${c.name.name}`)) return;
  const owner = `constraint ${c.name.name}`;
  const v = values.entries(c.entries, spec.keys, owner, c.name, spec.oneOf);
  const span = values.span(c);
  const located = (k: string): readonly Located<string>[] => (v.get(k) as readonly Located<string>[] | undefined) ?? [];
  switch (c.name.name) {
    case 'network_latency': {
      const maxMs = v.get('max');
      if (typeof maxMs !== 'number') return;
      const latency: LatencyConstraint = {
        maxMs,
        to: located('to'),
        verifyVia: (v.get('verify_via') as VerifyMethod | undefined) ?? DEFAULTS.verifyVia,
        percentile: (v.get('percentile') as Percentile | undefined) ?? DEFAULTS.percentile,
        span,
      };
      intent.latency = [...intent.latency, latency];
      return;
    }
    case 'compliance':
      if (v.has('level'))
        intent.compliance = {
          levels: located('level'),
          audit: (v.get('audit') as boolean | undefined) ?? DEFAULTS.audit,
          span,
        } satisfies ComplianceConstraint;
      return;
    case 'residency':
      intent.residency = residencyOf(v, span, values);
      return;
    case 'carbon': {
      const carbon: Mutable<CarbonConstraint> = { span };
      const minSaving = v.get('min_saving');
      const maxIntensity = v.get('max_intensity');
      if (typeof minSaving === 'number') carbon.minSavingPercent = minSaving;
      if (typeof maxIntensity === 'number') carbon.maxIntensity = maxIntensity;
      intent.carbon = carbon;
      return;
    }
    case 'circuit_breaker':
      intent.circuitBreakers = [...intent.circuitBreakers, circuitBreakerOf(c, v, span, values)];
      return;
  }
}

/** A residency constraint; a country both allowed and denied is a contradiction. */
function residencyOf(v: ReadonlyMap<string, Checked>, span: Span, values: ValueChecker): ResidencyConstraint {
  const allow = v.get('allow') as readonly Located<string>[] | undefined;
  const deny = (v.get('deny') as readonly Located<string>[] | undefined) ?? [];
  for (const d of deny) {
    if (allow?.some((a) => a.value === d.value)) {
      values.report(
        'intent/contradiction',
        `country "${d.value}" is both allowed and denied`,
        d.span,
        'each country in allow or deny, not both',
      );
    }
  }
  return allow ? { allow, deny, span } : { deny, span };
}

/** A circuit breaker with the defaults filled in; the ejection cap may not be below its base. */
function circuitBreakerOf(
  c: ConstraintStmt,
  v: ReadonlyMap<string, Checked>,
  span: Span,
  values: ValueChecker,
): CircuitBreakerConstraint {
  const num = (k: string, d: number): number => (v.get(k) as number | undefined) ?? d;
  const d = DEFAULTS.circuitBreaker;
  const interval = v.has('interval') ? c.entries.find((e) => e.key.name === 'interval') : undefined;
  const breaker: CircuitBreakerConstraint = {
    to: (v.get('to') as readonly Located<string>[] | undefined) ?? [],
    consecutiveFailures: num('consecutive_failures', d.consecutiveFailures),
    intervalMs: num('interval', d.intervalMs),
    ...(interval ? { intervalAt: values.span(interval) } : {}),
    baseEjectionMs: num('base_ejection', d.baseEjectionMs),
    maxEjectionMs: num('max_ejection', d.maxEjectionMs),
    halfOpen: (v.get('half_open') as boolean | undefined) ?? d.halfOpen,
    span,
  };
  if (breaker.maxEjectionMs < breaker.baseEjectionMs) {
    const at = c.entries.find((e) => e.key.name === 'max_ejection') ?? c.name;
    values.report(
      'intent/contradiction',
      'max_ejection is shorter than base_ejection',
      at,
      `max_ejection of at least ${formatDuration(breaker.baseEjectionMs)}`,
    );
  }
  return breaker;
}

function checkTarget(
  t: TargetStmt,
  intent: Mutable<Intent>,
  values: ValueChecker,
  single: (key: string, node: CallStmt, what: string) => boolean,
): Target | undefined {
  const selectorSpec = TARGET_SELECTORS[t.selector.name.name];
  let target: Target | undefined;
  if (selectorSpec === undefined) {
    const known = Object.keys(TARGET_SELECTORS);
    values.report(
      'intent/unknown-selector',
      `unknown target selector "${clip(t.selector.name.name)}"`,
      t.selector.name,
      `one of ${known.map((k) => `${k}(...)`).join(', ')}`,
      didYouMean(t.selector.name.name, known),
    );
  } else {
    const regions = positional(t.selector, selectorSpec, values);
    if (regions !== undefined) {
      const located = regions as readonly Located<string>[];
      target = { regions: located, span: values.span(t.selector) };
    }
  }
  for (const stmt of t.body) checkStatement(stmt, intent, values, single, 'target');
  return target;
}

function positional(call: CallStmt, spec: StatementSpec, values: ValueChecker): Checked | undefined {
  const p = spec.positional;
  if (p === undefined) return undefined;
  const named = call.args.find((a) => a.key !== undefined);
  if (named?.key) {
    values.report(
      'intent/unexpected-named-argument',
      `${call.name.name}(...) takes no named arguments`,
      named.key,
      `${call.name.name}(${p.max === 1 ? 'value' : 'value, ...'})`,
    );
    return undefined;
  }
  if (call.args.length < p.min || call.args.length > p.max) {
    const count = p.min === p.max ? `exactly ${p.min}` : `at least ${p.min}`;
    values.report(
      'intent/wrong-argument-count',
      `${call.name.name}(...) takes ${count} argument${p.min === 1 ? '' : 's'}, found ${call.args.length}`,
      call,
      `${count} argument(s)`,
    );
    return undefined;
  }
  if (p.value.type === 'string') {
    // A list of plain strings (e.g. region names): check each, keep their locations.
    const out: Located<string>[] = [];
    for (const a of call.args) {
      const s = values.value(a.value, p.value, `${call.name.name}(...)`);
      if (typeof s === 'string') out.push({ value: s, span: values.span(a.value) });
    }
    return out.length === call.args.length ? out : undefined;
  }
  if (p.max === 1)
    return call.args[0] ? values.value(call.args[0].value, p.value, `${call.name.name}(...)`) : undefined;
  const out: Located<string>[] = [];
  let ok = true;
  for (const a of call.args) {
    const v = values.value(a.value, p.value, `${call.name.name}(...)`);
    if (Array.isArray(v)) out.push(...(v as Located<string>[]));
    else ok = false;
  }
  return ok ? out : undefined;
}

function checkStatement(
  call: CallStmt,
  intent: Mutable<Intent>,
  values: ValueChecker,
  single: (key: string, node: CallStmt, what: string) => boolean,
  scope: 'intent' | 'target',
): void {
  const name = call.name.name;
  const spec = STATEMENTS[name];
  if (spec === undefined || (scope === 'target' ? !spec.inTarget : !spec.inIntent)) {
    const allowed = Object.entries(STATEMENTS)
      .filter(([, s]) => (scope === 'target' ? s.inTarget : s.inIntent))
      .map(([k]) => k);
    const candidates = scope === 'intent' ? [...allowed, ...ITEM_KEYWORDS] : allowed;
    const where = scope === 'target' ? 'a target body' : 'an intent';
    const message =
      spec === undefined ? `unknown statement "${clip(name)}" in ${where}` : `${name}(...) is not allowed in ${where}`;
    values.report(
      'intent/unknown-statement',
      message,
      call.name,
      `one of ${candidates.join(', ')}`,
      spec === undefined ? didYouMean(name, candidates) : undefined,
    );
    return;
  }
  if (!spec.repeatable && !single(name, call, `${name}(...)`)) return;
  const span = values.span(call);
  if (spec.named) {
    const v = values.entries(call.args, spec.named, `${name}(...)`, call.name);
    if (name === 'ensure') {
      const policy = v.get('traffic_policy') as TrafficPolicy | undefined;
      const clash = intent.ensure.find((e) => e.trafficPolicy !== policy);
      if (policy !== undefined && clash) {
        values.report(
          'intent/contradiction',
          `traffic_policy "${policy}" contradicts "${clash.trafficPolicy}" ensured earlier in this intent`,
          call,
          'one traffic_policy per intent',
        );
      } else if (policy !== undefined) {
        intent.ensure = [...intent.ensure, { trafficPolicy: policy, span } satisfies EnsureRule];
      }
    } else if (name === 'on_drift') {
      const action = v.get('action') as DriftAction | undefined;
      const notify = call.args.find((a) => a.key?.name === 'notify');
      const notifyName = v.get('notify') as string | undefined;
      if (action !== undefined) {
        const drift: Mutable<DriftPolicy> = { action, span };
        if (notifyName !== undefined && notify) drift.notify = { value: notifyName, span: values.span(notify.value) };
        intent.onDrift = drift;
      }
    }
    return;
  }
  const v = positional(call, spec, values);
  if (v === undefined) return;
  switch (name) {
    case 'workloads':
      intent.workloads = [...intent.workloads, ...(v as readonly Located<string>[])];
      return;
    case 'depends_on':
      intent.dependsOn = [...intent.dependsOn, ...(v as readonly Located<string>[])];
      return;
    case 'placement':
      intent.placement = v as Placement;
      return;
  }
}

function checkValidate(v: ValidateStmt, source: SourceFile, values: ValueChecker): Assertion[] {
  const out: Assertion[] = [];
  for (const a of v.assertions) {
    const expr = checkExpr(a.expr, values);
    if (expr !== undefined) out.push({ expr, text: source.text.slice(a.start, a.end), span: values.span(a) });
  }
  return out;
}

function checkExpr(e: Expr, values: ValueChecker): StateExpr | undefined {
  switch (e.kind) {
    case 'not': {
      const operand = checkExpr(e.operand, values);
      return operand && { kind: 'not', operand };
    }
    case 'and':
    case 'or': {
      const left = checkExpr(e.left, values);
      const right = checkExpr(e.right, values);
      return left && right && { kind: e.kind, left, right };
    }
    case 'bool':
      return { kind: 'bool', value: e.value };
    case 'call': {
      const name = e.name.name;
      if (!(PREDICATES as readonly string[]).includes(name)) {
        values.report(
          'intent/unknown-predicate',
          `unknown predicate "${clip(name)}"`,
          e.name,
          `one of ${PREDICATES.join(', ')}`,
          didYouMean(name, PREDICATES),
        );
        return undefined;
      }
      const arg = e.args[0];
      if (e.args.length !== 1 || arg === undefined) {
        values.report(
          'intent/wrong-argument-count',
          `${name}(...) takes exactly 1 argument, found ${e.args.length}`,
          e,
          `${name}(current_mesh) or ${name}(planned_mesh)`,
        );
        return undefined;
      }
      if (arg.kind !== 'ident' || !(MESHES as readonly string[]).includes(arg.name)) {
        const word = arg.kind === 'ident' ? arg.name : arg.kind === 'string' ? arg.value : '';
        values.report(
          'intent/unknown-mesh',
          `${name}(...) takes a mesh, not ${describeArgument(arg)}`,
          arg,
          `one of ${MESHES.join(', ')}`,
          didYouMean(word, MESHES),
        );
        return undefined;
      }
      return { kind: 'predicate', predicate: name as Predicate, mesh: arg.name as Mesh, span: values.span(e) };
    }
    case 'ident':
    case 'string':
      values.report(
        'intent/expected-predicate',
        `expected a predicate call, found ${e.kind === 'ident' ? `the name ${clip(e.name)}` : 'a string'}`,
        e,
        `a predicate such as has_cyclic_dependencies(current_mesh)`,
        e.kind === 'ident' ? didYouMean(e.name, PREDICATES) : undefined,
      );
      return undefined;
  }
}

/** A predicate argument as the message quotes it. */
function describeArgument(arg: Expr): string {
  if (arg.kind === 'ident') return `"${clip(arg.name)}"`;
  if (arg.kind === 'string') return `the string "${clip(arg.value)}"`;
  return 'an expression';
}
