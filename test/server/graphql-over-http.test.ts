import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * GraphQL-over-HTTP conformance, audited by graphql-http's own server audits against a running app.
 * Every MUST and SHOULD audit has to pass.
 */
describe('GraphQL over HTTP', () => {
  let t: TestApp;
  let results: AuditResult[];
  beforeAll(async () => {
    t = await startTestApp();
    results = [];
    for (const audit of serverAudits({ url: t.url, fetchFn: fetch })) results.push(await audit.fn());
  });
  afterAll(async () => {
    await t.stop();
  });

  it('passes every MUST audit of the graphql-http server audits', () => {
    const must = results.filter((r) => r.name.startsWith('MUST'));
    expect(must.length).toBeGreaterThan(10);
    const failed = must.filter((r) => r.status !== 'ok').map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(failed).toEqual([]);
  });

  it('passes every SHOULD audit too', () => {
    const should = results.filter((r) => r.name.startsWith('SHOULD'));
    expect(should.length).toBeGreaterThan(5);
    expect(should.filter((r) => r.status !== 'ok').map((r) => `${r.id} ${r.name}`)).toEqual([]);
  });

  it('answers a query sent as GET with the query in the URL', async () => {
    const response = await fetch(`${t.url}?query=${encodeURIComponent('{serverInfo{version}}')}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { serverInfo: { version: string } } };
    expect(body.data.serverInfo.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses a mutation sent as GET with 405 and says it needs POST', async () => {
    const query = 'mutation { revokeApiToken(input: { id: "nope" }) { userErrors { code } } }';
    const response = await fetch(`${t.url}?query=${encodeURIComponent(query)}`, {
      headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${t.adminToken}` },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]?.message).toBe('Can only perform a mutation operation from a POST request.');
  });

  it('responds with application/graphql-response+json when the client accepts it', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ serverInfo { name } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json\b/);
    expect(await response.json()).toEqual({ data: { serverInfo: { name: 'gatehouse' } }, extensions: { apiVersion: '1.0' } });
  });

  it('uses a 4xx status with application/graphql-response+json for a request that fails before execution', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ serverInfo { name }' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json\b/);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});
