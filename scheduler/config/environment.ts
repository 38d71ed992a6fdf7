import { Secret } from './secret.js';

/**
 * The process environment, read in this one module and nowhere else. Everything the
 * product takes from the environment (API tokens and webhook URLs, by the variable names the
 * fleet file gives; where the kubeconfig is) goes through here.
 */
export interface Environment {
  /** The secret held by variable `name`, or undefined when it is unset or empty. */
  secret(name: string): Secret | undefined;
  /** A setting that is not a secret (`KUBECONFIG`, `HOME`), or undefined when unset or empty. */
  setting(name: string): string | undefined;
}

export function environmentFrom(vars: Readonly<Record<string, string | undefined>>): Environment {
  const snapshot = Object.freeze({ ...vars });
  return Object.freeze({
    secret(name: string): Secret | undefined {
      const value = snapshot[name];
      return value === undefined || value.trim() === '' ? undefined : new Secret(value.trim(), name);
    },
    setting(name: string): string | undefined {
      const value = snapshot[name];
      return value === undefined || value === '' ? undefined : value;
    },
  });
}

/** The environment of this process, read once. */
export function processEnvironment(): Environment {
  return environmentFrom(process.env);
}
