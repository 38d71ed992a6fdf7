import { clip } from '../../../scheduler/diagnostics/clip.js';

/**
 * A value read from a cluster, as a message quotes it: strings clipped and JSON-escaped (so
 * a control character shows as `\u0007`, never reaches the terminal), other values by type.
 * Secrets are masked later, by diagnostic(), like every message.
 */
export function quote(value: unknown, max = 40): string {
  if (typeof value === 'string') return JSON.stringify(clip(value, max));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}
