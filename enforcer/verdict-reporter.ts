import { request } from 'undici';
import type { Secret } from '../scheduler/config/secret.js';
import type { VerdictStatus } from './status.js';

export interface VerdictChange {
  readonly at: string;
  readonly from: string;
  readonly verdict: VerdictStatus;
}

const MAX_QUEUED = 1000;

/**
 * Sends verdict changes to the scheduler: POST <url> with {node, changes: […]}. Changes
 * wait in order until the scheduler accepts them (2xx); a failed send keeps them for the
 * next flush. Past MAX_QUEUED the oldest are dropped and counted, so an unreachable
 * scheduler cannot grow the agent without bound. The token never appears in errors.
 */
export class VerdictReporter {
  private queue: VerdictChange[] = [];
  dropped = 0;
  lastError: string | undefined;
  private sending = false;

  constructor(
    private readonly url: string,
    private readonly node: string,
    private readonly token: Secret | undefined,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  add(change: VerdictChange): void {
    this.queue.push(change);
    if (this.queue.length > MAX_QUEUED) {
      this.dropped += this.queue.length - MAX_QUEUED;
      this.queue = this.queue.slice(-MAX_QUEUED);
    }
  }

  /** Sends what is queued; true when the queue is empty afterwards. */
  async flush(): Promise<boolean> {
    if (this.sending || this.queue.length === 0) return this.queue.length === 0;
    this.sending = true;
    const batch = this.queue.slice();
    try {
      const res = await request(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token.reveal()}` } : {}),
        },
        body: JSON.stringify({ node: this.node, changes: batch }),
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300)
        throw new Error(`the scheduler answered HTTP ${res.statusCode}`);
      const sent = new Set(batch);
      this.queue = this.queue.filter((c) => !sent.has(c));
      this.lastError = undefined;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.lastError = this.token ? this.token.scrub(msg) : msg;
    } finally {
      this.sending = false;
    }
    return this.queue.length === 0;
  }
}
