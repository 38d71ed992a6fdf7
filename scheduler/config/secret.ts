import { inspect } from 'node:util';

/**
 * A credential read from the environment. It prints as `[redacted]` however it is logged,
 * stringified or inspected; only `reveal()` gives the value, at the one place that sends it.
 */
export class Secret {
  readonly #value: string;
  /** Name of the environment variable it came from, safe to show. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  /** Removes every occurrence of the secret from `text` (for messages from libraries). */
  scrub(text: string): string {
    return this.#value.length === 0 ? text : text.split(this.#value).join('[redacted]');
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return `Secret(${this.source}: [redacted])`;
  }
}
