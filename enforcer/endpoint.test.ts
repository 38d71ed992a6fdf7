import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEndpoint, parseEndpoint } from './endpoint.js';

describe('parseEndpoint', () => {
  it('reads IPv4, host names and bracketed IPv6', () => {
    expect(parseEndpoint('10.0.3.7:5432')).toEqual({ host: '10.0.3.7', port: 5432, isIp: true });
    expect(parseEndpoint('db.shop.svc:5432')).toEqual({ host: 'db.shop.svc', port: 5432, isIp: false });
    expect(parseEndpoint('localhost:0')).toEqual({ host: 'localhost', port: 0, isIp: false });
    expect(parseEndpoint('[::1]:9464')).toEqual({ host: '::1', port: 9464, isIp: true });
    expect(parseEndpoint('[fd00::7]:65535')).toEqual({ host: 'fd00::7', port: 65535, isIp: true });
    expect(parseEndpoint('[::ffff:10.0.0.1]:80')).toEqual({ host: '::ffff:10.0.0.1', port: 80, isIp: true });
  });

  it('tells an IP address from a name that merely looks like one', () => {
    expect(parseEndpoint('999.1.1.1:80')?.isIp).toBe(false);
    expect(parseEndpoint('10.0.0:80')?.isIp).toBe(false);
  });

  it('refuses what is not host:port', () => {
    for (const bad of [
      '',
      '9464',
      ':9464',
      '10.0.0.1',
      '10.0.0.1:',
      '10.0.0.1:http',
      '10.0.0.1:65536',
      '10.0.0.1:123456',
      '10.0.0.1:-1',
      '::1:9464', // IPv6 without brackets
      '[::1]', // no port
      '[::1]:',
      '[10.0.0.1]:80', // brackets are for IPv6 only
      '[db.shop.svc]:80',
      '[::g]:80',
      ' 10.0.0.1:80',
      '10.0.0.1:80 ',
      'db shop:80',
      'http://10.0.0.1:80',
    ]) {
      expect(parseEndpoint(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('formatEndpoint', () => {
  it('brackets IPv6 only', () => {
    expect(formatEndpoint('10.0.3.7', 5432)).toBe('10.0.3.7:5432');
    expect(formatEndpoint('fd00::7', 5432)).toBe('[fd00::7]:5432');
    expect(formatEndpoint('db.shop.svc', 5432)).toBe('db.shop.svc:5432');
  });

  it('round-trips with parseEndpoint (property)', () => {
    const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
    fc.assert(
      fc.property(host, fc.integer({ min: 0, max: 65535 }), (h, port) => {
        const text = formatEndpoint(h, port);
        expect(parseEndpoint(text)).toMatchObject({ host: h, port });
      }),
      { numRuns: 300 },
    );
  });
});
