/**
 * Kubernetes resource quantities (`250m`, `0.5`, `128Mi`, `1G`, `1e9`), read exactly as
 * apimachinery's `resource.ParseQuantity` reads them and rounded the way the scheduler counts
 * them: CPU up to whole millicores (`MilliValue`), memory up to whole bytes (`Value`). The
 * arithmetic is in integers (bigint), so `0.1` is exactly 100m and no sum drifts.
 *
 *   quantity ::= sign? number suffix
 *   number   ::= digits | digits "." digits? | "." digits
 *   suffix   ::= "" | n | u | m | k | M | G | T | P | E | Ki | Mi | Gi | Ti | Pi | Ei | (e|E) sign? digits
 */

export type Resource = 'cpu' | 'memory';

export type QuantityRead =
  | { readonly ok: true; readonly value: bigint }
  | { readonly ok: false; readonly problem: 'not-a-quantity' | 'negative' | 'too-large' };

/** The longest text read as a quantity; a real one is a handful of characters. */
export const MAX_QUANTITY_TEXT = 64;

const QUANTITY = /^([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$/;

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Readonly<Record<string, bigint>> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };

/** Powers of ten beyond these cannot change the outcome of any bound we check. */
const MAX_SCALE = 40;
const MIN_SCALE = -80;

/**
 * A quantity in the resource's counting unit (millicores for cpu, bytes for memory), or why
 * not. JSON numbers are read as their decimal text, as apimachinery does with unquoted
 * numbers. `max` is in the counting unit; anything above it is `too-large`.
 */
export function readQuantity(raw: unknown, resource: Resource, max: bigint): QuantityRead {
  const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  if (typeof text !== 'string' || text.length > MAX_QUANTITY_TEXT) return { ok: false, problem: 'not-a-quantity' };
  const m = QUANTITY.exec(text);
  if (!m) return { ok: false, problem: 'not-a-quantity' };
  const [, sign = '', number = '', suffix = ''] = m;
  const [whole = '', fraction = ''] = number.split('.');
  const mantissa = BigInt(`${whole}${fraction}` || '0');
  if (sign === '-' && mantissa !== 0n) return { ok: false, problem: 'negative' };
  const scale = decimalExponent(suffix) - fraction.length + (resource === 'cpu' ? 3 : 0);
  const value = scaled(mantissa, scale, BINARY_SUFFIX[suffix] ?? 0n, max);
  return value === undefined ? { ok: false, problem: 'too-large' } : { ok: true, value };
}

/** Distinct texts remembered per reader; a hostile cluster with more only costs re-reading. */
const MEMO_LIMIT = 4096;

/**
 * readQuantity for one resource and bound, remembering what each text read as: a cluster's
 * pods repeat a few quantities (every replica has its template's), read here once each.
 */
export function quantityReader(resource: Resource, max: bigint): (raw: unknown) => QuantityRead {
  const memo = new Map<string, QuantityRead>();
  return (raw) => {
    if (typeof raw !== 'string') return readQuantity(raw, resource, max);
    let read = memo.get(raw);
    if (read === undefined) {
      read = readQuantity(raw, resource, max);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(raw, read);
    }
    return read;
  };
}

function decimalExponent(suffix: string): number {
  if (suffix.startsWith('e') || suffix.startsWith('E')) {
    if (suffix.length === 1) return DECIMAL_SUFFIX[suffix] ?? 0; // "E" alone is exa
    const e = Number(suffix.slice(1));
    return Math.max(MIN_SCALE, Math.min(MAX_SCALE * 2, e));
  }
  return DECIMAL_SUFFIX[suffix] ?? 0;
}

/** ceil(mantissa × 10^scale × 2^bits), or undefined when above `max`. */
function scaled(mantissa: bigint, scale: number, bits: bigint, max: bigint): bigint | undefined {
  if (mantissa === 0n) return 0n;
  if (scale > MAX_SCALE) return undefined;
  const numerator = mantissa * 2n ** bits * (scale > 0 ? 10n ** BigInt(scale) : 1n);
  const denominator = scale < 0 ? 10n ** BigInt(Math.max(-scale, 0)) : 1n;
  const value = (numerator + denominator - 1n) / denominator;
  return value > max ? undefined : value;
}
