import type { DependencyEdge } from '../promises/model.js';
import type { ConstraintRef } from './proof.js';

/**
 * What makes an edge a constraint: its bound alone when the bound names it, else where it is
 * declared (and the bound).
 */
export function edgeRefs(e: DependencyEdge, dependsOn: ConstraintRef = e.dependsOn): ConstraintRef[] {
  if (e.bound && e.boundNames) return [e.bound];
  return [dependsOn, ...(e.bound ? [e.bound] : [])];
}
