import {
  collectionPath,
  FIELD_MANAGER,
  objectPath,
  type ObjectClient,
  type ObjectKind,
} from '../../regions/clusters/client/object-client.js';
import { describeObject, planCopy, type CopyPlan } from '../apply/copy-to-target.js';
import { splitWorkload, type MigrationJob } from '../apply/job.js';
import { NamespaceObjects } from '../apply/namespace-objects.js';
import { MIGRATION_LABEL } from '../apply/portable.js';
import { EXIT, type CliIo } from './io.js';
import { plural } from './report.js';

/**
 * `shisa apply --dry-run`: reads both clusters of each planned move as a real apply would,
 * then prints every API call it would make, in order, and writes nothing (neither the
 * clusters nor the journal). Migrations in flight are listed with what settling them does.
 */
export async function dryRun(
  work: {
    readonly inFlight: readonly MigrationJob[];
    readonly planned: readonly MigrationJob[];
    readonly runId?: number;
  },
  clients: ReadonlyMap<string, ObjectClient>,
  io: CliIo,
  json: boolean,
): Promise<number> {
  const out: Out = (o, text) => io.stdout(json ? `${JSON.stringify(o)}\n` : text);
  for (const m of work.inFlight)
    out(
      { type: 'settle', migration: m.id, workload: m.workload, state: m.state },
      `#${m.id} ${m.workload} is ${m.state}: settled first (${settling(m.state)})\n`,
    );
  const cache = new NamespaceObjects();
  let refused = 0;
  for (const m of work.planned) {
    const source = clients.get(m.from);
    const target = clients.get(m.to);
    out(
      { type: 'move', migration: m.id, workload: m.workload, from: m.from, to: m.to },
      `#${m.id} ${m.workload}: ${m.from} → ${m.to}\n`,
    );
    if (!source || !target) {
      out(
        { type: 'skip', migration: m.id, reason: 'a cluster cannot be reached' },
        '  would be skipped: a cluster cannot be reached\n',
      );
      continue;
    }
    const plan = await planCopy(m, source, target, cache);
    if (!plan.ok) {
      refused++;
      out({ type: 'refused', migration: m.id, reason: plan.reason }, `  would be refused: ${plan.reason}\n`);
      continue;
    }
    printCalls(m, plan, out);
  }
  const wouldRefuse = refused ? `, ${refused} would be refused` : '';
  if (!json) io.stdout(`Dry run: ${plural(work.planned.length, 'planned move')}${wouldRefuse}; nothing was written.\n`);
  return EXIT.ok;
}

function settling(state: string): string {
  if (state === 'removing-source' || state === 'source-removed') return 'its source removal is finished';
  if (state === 'rolling-back') return 'its rollback is finished';
  return 'rolled back: its copy is removed by its label, the source kept';
}

type Out = (o: Record<string, unknown>, text: string) => void;

/** The calls one move's migration makes, in order, once its copy was planned. */
function printCalls(m: MigrationJob, plan: Extract<CopyPlan, { ok: true }>, out: Out): void {
  const { namespace, name } = splitWorkload(m.workload);
  const call = (region: string, method: string, path: string, detail: string) =>
    out(
      { type: 'call', migration: m.id, region, method, path, detail },
      `  ${region}: ${method} ${path}  # ${detail}\n`,
    );
  for (const w of plan.writes)
    call(
      m.to,
      'PATCH',
      objectPath({
        kind: w.kind as ObjectKind,
        ...(w.kind === 'Namespace' ? {} : { namespace }),
        name: (w.metadata as { name: string }).name,
      }) + `?fieldManager=${FIELD_MANAGER}&force=false`,
      `server-side apply ${describeObject(w, namespace)}, labelled ${MIGRATION_LABEL}=${m.id}`,
    );
  for (const e of plan.existing)
    out(
      { type: 'existing', migration: m.id, object: e },
      `  ${m.to}: ${e} is there already, identical: left as it is\n`,
    );
  const kind = plan.kind;
  const path = objectPath({ kind, namespace, name });
  call(
    m.to,
    'WATCH',
    collectionPath(kind, namespace) + `?fieldSelector=metadata.name=${name}`,
    kind === 'Deployment' ? 'until Available with every replica ready' : 'until it exists',
  );
  call(m.to, 'GET', path, 'after the verification window: still serving');
  if (kind === 'Deployment') {
    call(m.from, 'PATCH', path, 'merge patch spec.replicas: 0 (the count kept in an annotation)');
    call(m.from, 'WATCH', collectionPath('Pod', namespace), "until the source's pods are gone");
  } else {
    call(m.from, 'PATCH', path, 'merge patch spec.suspend: true');
    call(m.to, 'PATCH', path, "merge patch spec.suspend: the source's own setting");
  }
  call(m.from, 'DELETE', path, 'propagationPolicy Background');
}
