import { deliverDue, type DeliveryPolicy, type DeliveryPorts, type DeliveryRound } from '../notify/outbox-worker.js';

export interface DeliveryLoopOptions {
  /** How long to wait between rounds that found nothing to send. */
  readonly everyMs: number;
  readonly policy: DeliveryPolicy;
  /** Told of each round that attempted something, and of each round that failed (the store). */
  readonly onRound: (round: DeliveryRound) => void;
  readonly onError: (err: unknown) => void;
}

/**
 * The outbox worker of `shisa serve`: a round every `everyMs`, and again at once while rounds
 * keep finding messages due (a backlog drains without waiting between messages). `wake()`
 * starts a round now (a run just wrote messages). One round at a time; `stop()` lets the round
 * under way finish, so a message sent is also recorded as sent.
 */
export class DeliveryLoop {
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(
    private readonly ports: () => DeliveryPorts,
    private readonly o: DeliveryLoopOptions,
  ) {}

  start(): void {
    this.wake();
  }

  wake(): void {
    if (this.#stopped) return;
    if (this.#round) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#round = this.#once().finally(() => {
      this.#round = undefined;
      if (this.#stopped) return;
      if (this.#again) {
        this.#again = false;
        this.wake();
      } else this.#timer = setTimeout(() => this.wake(), this.o.everyMs);
    });
  }

  async #once(): Promise<void> {
    try {
      const round = await deliverDue(this.ports(), this.o.policy);
      if (round.attempts.length) this.o.onRound(round);
      // A full batch may have left more behind it; a delivered message may have uncovered the next one in its channel.
      if (round.delivered > 0 || round.attempts.length >= this.o.policy.batch) this.#again = true;
    } catch (err) {
      this.o.onError(err);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
  }
}
