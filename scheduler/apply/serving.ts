type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Whether a Deployment serves: its controller has seen the current spec (observedGeneration),
 * every wanted replica is updated, ready and available, and the Available condition is True.
 * True, or what is missing in words.
 */
export function deploymentServes(d: Json): true | string {
  const spec = isObject(d.spec) ? d.spec : {};
  const status = isObject(d.status) ? d.status : {};
  const meta = isObject(d.metadata) ? d.metadata : {};
  const wanted = typeof spec.replicas === 'number' ? spec.replicas : 1;
  if (num(status.observedGeneration) < num(meta.generation))
    return `its controller has not yet seen generation ${num(meta.generation)}`;
  const ready = num(status.readyReplicas);
  const available = num(status.availableReplicas);
  const updated = num(status.updatedReplicas);
  if (updated < wanted || ready < wanted || available < wanted)
    return `${ready} of ${wanted} replicas ready, ${available} available, ${updated} updated`;
  if (wanted === 0) return true;
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isObject) : [];
  const availableCondition = conditions.find((c) => c.type === 'Available');
  const said = availableCondition?.status;
  if (said !== 'True') return `condition Available is ${typeof said === 'string' ? said : 'missing'}`;
  return true;
}

/**
 * Whether a copy serves: a Deployment when deploymentServes; a CronJob once it exists (it has
 * no pods until its schedule fires, and shisa keeps it suspended until the source is gone).
 */
export function copyServes(kind: 'Deployment' | 'CronJob', copy: Json): true | string {
  return kind === 'Deployment' ? deploymentServes(copy) : true;
}
