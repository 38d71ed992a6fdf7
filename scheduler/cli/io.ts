import { environmentFrom, processEnvironment, type Environment } from '../config/environment.js';

/** Where a command writes and what it is relative to; the real process in bin/, buffers in tests. */
export interface CliIo {
  readonly cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Wall clock; defaults to Date.now. Tests pin it. */
  readonly now?: () => number;
  /** Environment variables; defaults to the process environment (read in scheduler/config). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The environment a command reads: the variables the io carries (tests pin them), else the
 * process environment. The one place the CLI builds an Environment.
 */
export function environmentOf(io: Pick<CliIo, 'env'>): Environment {
  return io.env ? environmentFrom(io.env) : processEnvironment();
}

/** Exit codes, as documented in the README. */
/** `busy`: nothing ran, because another shisa process holds the store or the rebalancing lock. */
export const EXIT = Object.freeze({ ok: 0, internal: 1, invalidInput: 2, unprovable: 3, busy: 4 });
