// Fault injection, changeable while a test runs. Each fault applies to the next `times`
// requests (default: every request) whose path starts with `pathPrefix` (default: any path)
// and whose method is `method` (default: any), and is used up one matching request at a time:
//   fail      answer with a Status of that code (5xx, or any code) instead of serving
//   throttle  answer 429 TooManyRequests with `Retry-After: seconds`
//   slow      wait `delayMs` before serving (the request is then served normally)
//   cutWatch  a watch stream is destroyed after `afterEvents` events (a request that is not a
//             watch does not use it up)
// Authentication runs first, so a faulted request still needs a valid token. The whole
// server going down, and token revocation, are controls on the cluster itself.

export interface FaultScope {
  /** How many matching requests it applies to; default: all of them until cleared. */
  times?: number;
  /** Applies only to request paths starting with this; default: every path. */
  pathPrefix?: string;
  /** Applies only to requests with this method (`DELETE`, `PATCH`, …); default: every method. */
  method?: string;
}

type Fault =
  | { kind: 'fail'; code: number }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'cutWatch'; afterEvents: number };

interface ActiveFault {
  fault: Fault;
  remaining: number;
  pathPrefix: string;
  method: string | undefined;
}

export type Answer = { kind: 'fail'; code: number } | { kind: 'throttle'; retryAfterSeconds: number };

export class Faults {
  private active: ActiveFault[] = [];

  /** The next requests answer `code` (default 500 InternalError). */
  fail(code = 500, scope: FaultScope = {}): void {
    if (!Number.isInteger(code) || code < 400 || code > 599) throw new RangeError(`fail: code ${code} is not 4xx/5xx`);
    this.add({ kind: 'fail', code }, scope);
  }

  /** The next requests answer 429 with Retry-After. */
  throttle(retryAfterSeconds = 1, scope: FaultScope = {}): void {
    this.add({ kind: 'throttle', retryAfterSeconds }, scope);
  }

  /** The next requests are served after `delayMs`. */
  slow(delayMs: number, scope: FaultScope = {}): void {
    this.add({ kind: 'slow', delayMs }, scope);
  }

  /** The next watch streams are cut (socket destroyed) after `afterEvents` events. */
  cutWatch(afterEvents: number, scope: FaultScope = {}): void {
    this.add({ kind: 'cutWatch', afterEvents }, scope);
  }

  clear(): void {
    this.active = [];
  }

  /** The fail/throttle answer for this request, if one applies (using it up). */
  takeAnswer(path: string, method = 'GET'): Answer | undefined {
    const found = this.take(path, (f) => f.kind === 'fail' || f.kind === 'throttle', method);
    return found as Answer | undefined;
  }

  /** The delay of the first slow fault that applies to this request (using it up), or 0. */
  takeDelay(path: string, method = 'GET'): number {
    const f = this.take(path, (x) => x.kind === 'slow', method);
    return f?.kind === 'slow' ? f.delayMs : 0;
  }

  /** After how many events this watch is cut, if a cutWatch fault applies (using it up). */
  takeWatchCut(path: string): number | undefined {
    const f = this.take(path, (x) => x.kind === 'cutWatch');
    return f?.kind === 'cutWatch' ? f.afterEvents : undefined;
  }

  private add(fault: Fault, scope: FaultScope): void {
    this.active.push({
      fault,
      remaining: scope.times ?? Infinity,
      pathPrefix: scope.pathPrefix ?? '',
      method: scope.method?.toUpperCase(),
    });
  }

  private take(path: string, wanted: (f: Fault) => boolean, method = 'GET'): Fault | undefined {
    const hit = this.active.find(
      (a) =>
        a.remaining > 0 &&
        path.startsWith(a.pathPrefix) &&
        (a.method === undefined || a.method === method) &&
        wanted(a.fault),
    );
    if (hit === undefined) return undefined;
    hit.remaining--;
    this.active = this.active.filter((a) => a.remaining > 0);
    return hit.fault;
  }
}
