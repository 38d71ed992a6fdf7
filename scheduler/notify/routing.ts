import type { NotifyChannel } from '../../regions/fleet/model.js';

/** What a message is about, for routing: news of migrations, or an exception (with the intents it concerns). */
export type Routable =
  | { readonly about: 'migrations' }
  | {
      readonly about: 'exceptions';
      /** Channels the concerned intents name in `on_drift(notify: …)`; empty when it concerns no intent. */
      readonly intentChannels: readonly string[];
    };

/**
 * The channels a message goes to. Migrations: every channel that hears about migrations.
 * An exception about intents that name channels goes to those of them that hear about
 * exceptions — the team that owns the intent, not everyone. One that concerns no intent (a
 * stale feed, an unreachable cluster, a rejected configuration), or whose intents name no
 * channel that hears exceptions, goes to every channel that does: an exception is never
 * routed nowhere while some channel listens. Sorted: the same message
 * always gets the same outbox keys.
 */
export function routeTo(channels: ReadonlyMap<string, NotifyChannel>, message: Routable): string[] {
  const hears = (c: NotifyChannel) => c.events.includes(message.about);
  const all = [...channels.values()].filter(hears).map((c) => c.name);
  if (message.about === 'migrations' || message.intentChannels.length === 0) return all.sort();
  const named = new Set(message.intentChannels);
  const owners = all.filter((name) => named.has(name));
  // Named channels that all ignore exceptions must not make the exception go unheard.
  return (owners.length > 0 ? owners : all).sort();
}
