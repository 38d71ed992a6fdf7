import { describe, expect, it } from 'vitest';
import { parseLabelSelector, selectorMatches } from './label-selector.js';

describe('parseLabelSelector', () => {
  it('reads equality, set and existence requirements as apimachinery does', () => {
    expect(parseLabelSelector('app=web, tier in (a, b),!legacy,shisa.io/intent,env!=prod,x==y,k notin (z)')).toEqual({
      ok: true,
      requirements: [
        { key: 'app', operator: '=', values: ['web'] },
        { key: 'tier', operator: 'in', values: ['a', 'b'] },
        { key: 'legacy', operator: 'not-exists', values: [] },
        { key: 'shisa.io/intent', operator: 'exists', values: [] },
        { key: 'env', operator: '!=', values: ['prod'] },
        { key: 'x', operator: '=', values: ['y'] },
        { key: 'k', operator: 'notin', values: ['z'] },
      ],
    });
    expect(parseLabelSelector('app=')).toEqual({
      ok: true,
      requirements: [{ key: 'app', operator: '=', values: [''] }],
    });
  });

  it('says where a selector goes wrong and what was expected', () => {
    const cases: [string, number, RegExp][] = [
      ['', 0, /at least one requirement/],
      ['app=web,,x', 8, /two commas/],
      ['app=we b', 4, /label value/],
      ['Shisa.IO/intent=x', 0, /DNS subdomain/],
      ['app=-web', 4, /label value/],
      ['tier in (a,,b)', 11, /label value/],
      ['tier in a,b', 0, /set requirement/],
      [`k=${'v'.repeat(64)}`, 2, /at most 63/],
      ['a'.repeat(5000), 4096, /at most 4096/],
      ['app=web\u0000', 4, /label value/],
    ];
    for (const [text, offset, message] of cases) {
      const r = parseLabelSelector(text);
      expect(r.ok, JSON.stringify(text)).toBe(false);
      if (!r.ok) {
        expect(r.offset, JSON.stringify(text)).toBe(offset);
        expect(r.message, JSON.stringify(text)).toMatch(message);
      }
    }
  });

  it('matches labels as apimachinery does', () => {
    const sel = (text: string) => {
      const r = parseLabelSelector(text);
      if (!r.ok) throw new Error(r.message);
      return r.requirements;
    };
    const labels = { app: 'web', tier: 'edge' };
    expect(selectorMatches(sel('app=web,tier in (edge,core)'), labels)).toBe(true);
    expect(selectorMatches(sel('app=web,tier notin (edge)'), labels)).toBe(false);
    expect(selectorMatches(sel('missing!=x,!legacy,app'), labels)).toBe(true);
    expect(selectorMatches(sel('missing in (x)'), labels)).toBe(false);
    expect(selectorMatches(sel('missing notin (x)'), labels)).toBe(true);
    expect(selectorMatches(sel('app'), {})).toBe(false);
  });
});
