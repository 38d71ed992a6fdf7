// The validation the fake does before storing, answering 422 Invalid like the real server. It
// is deliberately small: names, the namespace, and the Deployment and Pod fields whose absence
// would make the controller (and shisa) misbehave. Anything else is accepted as given.

import { isRecord, meta, type KubeObject } from './objects.js';
import type { ResourceType } from './resource-types.js';
import type { FieldCause } from './status.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function nameCauses(t: ResourceType, o: KubeObject): FieldCause[] {
  const { name, generateName } = meta(o);
  if (!name) {
    return generateName
      ? []
      : [
          {
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
            reason: 'FieldValueRequired',
          },
        ];
  }
  const dns1123Label = t.kind === 'Namespace' || t.kind === 'Service';
  const ok = dns1123Label ? LABEL.test(name) && name.length <= 63 : SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  const rule = dns1123Label
    ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  return [{ field: 'metadata.name', message: `Invalid value: "${name}": ${rule}` }];
}

function containerCauses(containers: unknown, field: string): FieldCause[] {
  if (!Array.isArray(containers) || containers.length === 0)
    return [{ field, message: 'Required value', reason: 'FieldValueRequired' }];
  return containers.flatMap((c: unknown, i) => {
    const causes: FieldCause[] = [];
    if (!isRecord(c) || typeof c.name !== 'string' || c.name === '')
      causes.push({ field: `${field}[${i}].name`, message: 'Required value', reason: 'FieldValueRequired' });
    if (!isRecord(c) || typeof c.image !== 'string' || c.image === '')
      causes.push({ field: `${field}[${i}].image`, message: 'Required value', reason: 'FieldValueRequired' });
    return causes;
  });
}

function deploymentCauses(o: KubeObject): FieldCause[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  const selector =
    isRecord(spec.selector) && isRecord(spec.selector.matchLabels) ? spec.selector.matchLabels : undefined;
  const template = isRecord(spec.template) ? spec.template : {};
  const labels = isRecord(template.metadata) && isRecord(template.metadata.labels) ? template.metadata.labels : {};
  const causes: FieldCause[] = [];
  if (selector === undefined || Object.keys(selector).length === 0)
    causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
  else if (Object.entries(selector).some(([k, v]) => labels[k] !== v))
    causes.push({
      field: 'spec.template.metadata.labels',
      message: 'Invalid value: `selector` does not match template `labels`',
    });
  if (spec.replicas !== undefined && !(Number.isInteger(spec.replicas) && (spec.replicas as number) >= 0))
    causes.push({
      field: 'spec.replicas',
      message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
    });
  const podSpec = isRecord(template.spec) ? template.spec : {};
  return [...causes, ...containerCauses(podSpec.containers, 'spec.template.spec.containers')];
}

/** The field errors of an object about to be stored; empty when it is valid. */
export function validate(t: ResourceType, o: KubeObject): FieldCause[] {
  const causes = nameCauses(t, o);
  if (t.kind === 'Deployment') causes.push(...deploymentCauses(o));
  if (t.kind === 'Pod')
    causes.push(...containerCauses(isRecord(o.spec) ? o.spec.containers : undefined, 'spec.containers'));
  return causes;
}
