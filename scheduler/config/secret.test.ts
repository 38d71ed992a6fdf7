import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { environmentFrom } from './environment.js';

describe('Secret', () => {
  it('never shows its value when printed, serialised or inspected', () => {
    const s = environmentFrom({ TOKEN: 'tok-123-secret' }).secret('TOKEN')!;
    expect(s.reveal()).toBe('tok-123-secret');
    expect(String(s)).toBe('[redacted]');
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what a template shows of a Secret is the point
    expect(`${s}`).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect({ s })).not.toContain('tok-123');
    expect(s.scrub('header auth-token: tok-123-secret')).toBe('header auth-token: [redacted]');
  });

  it('treats unset and blank variables as absent', () => {
    const env = environmentFrom({ EMPTY: '  ' });
    expect(env.secret('EMPTY')).toBeUndefined();
    expect(env.secret('MISSING')).toBeUndefined();
  });
});
