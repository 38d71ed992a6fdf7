import { describe, expect, it } from 'vitest';
import { environmentFrom } from './environment.js';
import { DEFAULT_LISTEN, serveSettings } from './serve-settings.js';

describe('serveSettings', () => {
  it('takes the tokens from the environment, never showing them', () => {
    const s = serveSettings(
      {},
      environmentFrom({ SHISA_API_READ_TOKEN: 'r-secret', SHISA_API_WRITE_TOKEN: 'w-secret' }),
    );
    expect(s.tokens.read.map((t) => t.reveal())).toEqual(['r-secret']);
    expect(s.tokens.write.map((t) => t.reveal())).toEqual(['w-secret']);
    expect(JSON.stringify(s)).not.toMatch(/secret/);
    expect(s.warnings).toEqual([]);
    expect({ host: s.host, port: s.port }).toEqual(DEFAULT_LISTEN);
    expect(s.shutdownMs).toBe(30_000);
    expect(Object.isFrozen(s)).toBe(true);
  });
  it('says what a missing token means', () => {
    const s = serveSettings({ listen: { host: '::1', port: 0 }, shutdownSeconds: 5 }, environmentFrom({}));
    expect(s.warnings.join('\n')).toMatch(/SHISA_API_WRITE_TOKEN is not set.*rolled back/);
    expect(s.warnings.join('\n')).toMatch(/SHISA_API_READ_TOKEN is not set/);
    expect([s.host, s.port, s.shutdownMs]).toEqual(['::1', 0, 5000]);
  });
});
