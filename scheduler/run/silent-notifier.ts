import type { Notifier } from './ports.js';

/** The notifier until Slack lands: a run tells no one. */
export const silentNotifier: Notifier = Object.freeze({ notify: () => Promise.resolve() });
