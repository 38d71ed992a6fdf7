/**
 * The example fleets use constructs nothing enforces yet (on_drift, ensure(traffic_policy),
 * circuit_breaker interval): loading them warns `intent/not-enforced` on stderr. Tests that
 * want "no complaint" assert that those warnings are all there is.
 */
export function besidesNotEnforced(stderr: string): string {
  const blocks = stderr.split('\n\n');
  return blocks
    .filter((b) => !/^\S+:\d+:\d+: warning\[intent\/not-enforced\]: /.test(b))
    .join('\n\n')
    .replace(/^shisa: \d+ warnings?\n/m, '');
}
