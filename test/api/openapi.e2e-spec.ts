// The OpenAPI document the running API serves, checked against the OpenAPI 3 structure rules.
/* eslint-disable @typescript-eslint/no-unsafe-call -- the served document is inspected as plain JSON */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOpenApi } from './openapi-check.js';
import { startTestApi, type TestApi } from './support.js';

describe(checkOpenApi.name, () => {
  let t: TestApi;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: Record<string, any>;

  beforeAll(async () => {
    t = await startTestApi();
    const res = await fetch(`${t.api.url}/api/docs/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as typeof doc;
  });
  afterAll(async () => t?.close());

  it('serves a document with no structural problem', () => {
    expect(checkOpenApi(doc)).toEqual([]);
  });

  it('documents every REST route, with the query parameters the validation accepts', () => {
    const paths = Object.keys(doc.paths as object).sort();
    expect(paths).toEqual(
      [
        '/api/v1/capture/health',
        '/api/v1/collectors',
        '/api/v1/flows',
        '/api/v1/interfaces',
        '/api/v1/ovs/datapath',
        '/api/v1/series',
        '/api/v1/tokens',
        '/api/v1/tokens/{id}',
        '/api/v1/top/{kind}',
        '/api/v1/topology',
        '/healthz',
        '/readyz',
      ].sort(),
    );
    const flows = doc.paths['/api/v1/flows'].get as {
      parameters: Array<{ name: string; required: boolean; schema: { type?: string } }>;
      security: unknown[];
    };
    const byName = new Map(flows.parameters.map((p) => [p.name, p]));
    expect([...byName.keys()].sort()).toEqual([
      'addr',
      'from',
      'iface',
      'limit',
      'offset',
      'port',
      'proto',
      'to',
      'tunnel',
      'vlan',
    ]);
    expect(byName.get('from')!.required).toBe(true);
    expect(byName.get('iface')!.required).toBe(false);
    expect(flows.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('finds the problems of a broken document', () => {
    const broken = structuredClone(doc);
    broken.openapi = '2.0';
    broken.paths['/api/v1/top/{kind}'].get.parameters = broken.paths['/api/v1/top/{kind}'].get.parameters.filter(
      (p: { in: string }) => p.in !== 'path',
    );
    broken.paths['/api/v1/flows'].get.responses = {};
    broken.paths['/api/v1/series'].get.parameters.push({ name: 'x', in: 'body', schema: { type: 'string' } });
    broken.paths['/api/v1/series'].get.parameters.push({ $ref: '#/components/parameters/nope' });
    broken.paths['/api/v1/collectors'].get.security = [{ apikey: [] }];
    const problems = checkOpenApi(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'openapi: expected 3.x.y, got "2.0"',
        'GET /api/v1/top/{kind}: path template {kind} has no parameter',
        'GET /api/v1/flows: responses required',
        'GET /api/v1/series: parameter x has location body',
        'GET /api/v1/collectors: security scheme apikey is not declared',
      ]),
    );
    expect(problems.some((l) => l.includes('$ref #/components/parameters/nope does not resolve'))).toBe(true);
  });
});
