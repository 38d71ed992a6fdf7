import { describe, expect, it } from 'vitest';
import type { NotifyChannel } from '../../regions/fleet/model.js';
import { routeTo } from './routing.js';

const span = { file: 'fleet.yaml', start: 0, end: 0, line: 1, col: 1 };
const channel = (name: string, events: NotifyChannel['events']): [string, NotifyChannel] => [
  name,
  { name, webhookEnv: `SLACK_${name.toUpperCase().replace(/-/g, '_')}`, events, span },
];
const channels = new Map([
  channel('sre', ['migrations', 'exceptions']),
  channel('batch-team', ['exceptions']),
  channel('finops', ['migrations']),
  channel('ml-team', ['exceptions']),
]);

describe('routeTo', () => {
  it('sends news of migrations to every channel that hears about migrations', () => {
    expect(routeTo(channels, { about: 'migrations' })).toEqual(['finops', 'sre']);
  });

  it("sends an exception about an intent to the intent's own channel only", () => {
    expect(routeTo(channels, { about: 'exceptions', intentChannels: ['batch-team'] })).toEqual(['batch-team']);
    expect(routeTo(channels, { about: 'exceptions', intentChannels: ['ml-team', 'batch-team'] })).toEqual([
      'batch-team',
      'ml-team',
    ]);
  });

  it('sends an exception that concerns no intent to every channel that hears about exceptions', () => {
    expect(routeTo(channels, { about: 'exceptions', intentChannels: [] })).toEqual(['batch-team', 'ml-team', 'sre']);
  });

  it('never routes an exception nowhere because its intent names a channel that ignores exceptions', () => {
    expect(routeTo(channels, { about: 'exceptions', intentChannels: ['finops'] })).toEqual([
      'batch-team',
      'ml-team',
      'sre',
    ]);
  });

  it('routes nowhere only when no channel is configured for it', () => {
    expect(routeTo(new Map(), { about: 'migrations' })).toEqual([]);
    expect(routeTo(new Map([channel('finops', ['migrations'])]), { about: 'exceptions', intentChannels: [] })).toEqual(
      [],
    );
  });
});
