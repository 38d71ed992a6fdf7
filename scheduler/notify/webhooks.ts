import type { NotifyChannel } from '../../regions/fleet/model.js';
import type { Environment } from '../config/environment.js';
import type { Secret } from '../config/secret.js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';

/** The notify channels' webhooks, read from the environment once, and what was wrong with them. */
export interface Webhooks {
  readonly byChannel: ReadonlyMap<string, Secret>;
  /** One per channel whose variable is unset or holds no usable URL; located at the channel in the fleet file. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Hosts a plain-http webhook may go to: a local relay or a test double, never across a network. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads each channel's webhook URL from the variable its `webhook_env` names. A URL must be
 * https (it carries the credential in its path), or http to a loopback relay. Diagnostics
 * name the variable and what was expected, never the value: a half-pasted URL is still secret.
 */
export function readWebhooks(channels: ReadonlyMap<string, NotifyChannel>, env: Environment): Webhooks {
  const byChannel = new Map<string, Secret>();
  const diagnostics: Diagnostic[] = [];
  for (const channel of channels.values()) {
    const url = env.secret(channel.webhookEnv);
    const problem = url ? urlProblem(url) : `the environment variable ${channel.webhookEnv} is not set`;
    if (problem === undefined && url) byChannel.set(channel.name, url);
    else
      diagnostics.push(
        diagnostic({
          code: 'notify/webhook',
          message: `channel "${channel.name}": ${problem}`,
          span: channel.span,
          expected: `${channel.webhookEnv} holding the channel's Slack incoming-webhook URL (https)`,
        }),
      );
  }
  return { byChannel, diagnostics };
}

function urlProblem(url: Secret): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.reveal());
  } catch {
    return `the environment variable ${url.source} does not hold a URL`;
  }
  if (parsed.username || parsed.password) return `the URL in ${url.source} carries a user name or password`;
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) return undefined;
  return `the URL in ${url.source} is not https (only a loopback relay may be plain http)`;
}
