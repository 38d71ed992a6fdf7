/** docs/openapi.yaml against the server's route table: the same routes, methods and scopes, both ways. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROUTES } from '../../scheduler/api/routes.js';

interface Operation {
  readonly security?: readonly Record<string, readonly string[]>[];
}
const doc = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
};

const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

describe('docs/openapi.yaml', () => {
  it('names exactly the routes the server serves', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const served = ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(documented.map((d) => `${d.method} ${d.path}`).sort()).toEqual(served);
  });

  it('gives each route the scope the server checks', () => {
    for (const route of ROUTES) {
      const op = documented.find((d) => d.method === route.method && d.path === route.path)!.op;
      const scopes = (op.security ?? []).flatMap((s) => s.bearer ?? []);
      expect(scopes, `${route.method} ${route.path}`).toEqual(route.scope === 'none' ? [] : [route.scope]);
    }
  });
});
