import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Document limits from src/config.ts (maxDepth 12, maxAliases 30, maxTokens 5000) are validation
 * failures (docs/errors.md: GRAPHQL_VALIDATION_FAILED covers depth, alias, cost and size limits).
 */
describe('query limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** `{ serverInfo { ... on ServerInfo { … name } } }`: each inline fragment adds one level of depth. */
  const nested = (depth: number) => {
    const fragments = depth - 2;
    return `{ serverInfo { ${'... on ServerInfo { '.repeat(fragments)}name${' }'.repeat(fragments)} } }`;
  };
  const aliased = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: serverInfo { version }`).join(' ')} }`;

  it('answers a query exactly at the depth limit', async () => {
    const r = await t.gql(nested(12), undefined, null);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ serverInfo: { name: 'gatehouse' } });
  });

  it('refuses a query one level deeper than the limit with GRAPHQL_VALIDATION_FAILED', async () => {
    const r = await t.gql(nested(13), undefined, null);
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors?.[0]?.message).toBe('Syntax Error: Query depth limit of 12 exceeded, found 13.');
    expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', details: { locations: [] } });
  });

  it('answers 30 aliases and refuses 31 with GRAPHQL_VALIDATION_FAILED', async () => {
    const ok = await t.gql(aliased(30), undefined, null);
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body.data ?? {})).toHaveLength(30);

    const refused = await t.gql(aliased(31), undefined, null);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toBe('Syntax Error: Aliases limit of 30 exceeded, found 31.');
    expect(refused.body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a document with more tokens than the limit with GRAPHQL_VALIDATION_FAILED', async () => {
    const r = await t.gql(`{ serverInfo { ${'name '.repeat(5000)}} }`, undefined, null);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.message).toBe('Syntax Error: Token limit of 5000 exceeded.');
    expect(r.body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('still reports a real syntax error as GRAPHQL_PARSE_FAILED with its location', async () => {
    const r = await t.gql('{ serverInfo { name }', undefined, null);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED', details: { locations: [{ line: 1, column: 22 }] } });
  });

  it('refuses a batch (a JSON array body) with 400 BAD_REQUEST and runs none of it', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify([
        { query: 'mutation { createApiToken(input: { name: "batched", role: VIEWER }) { token } }' },
        { query: '{ serverInfo { name } }' },
      ]),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: unknown }[]; extensions: unknown };
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      { message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST', details: { reason: 'Batching is not supported.' } } },
    ]);
    expect(body.extensions).toEqual({ apiVersion: '1.0' });
    const tokens = await t.gql<{ apiTokens: { totalCount: number } }>('{ apiTokens { totalCount } }');
    expect(tokens.body.data?.apiTokens.totalCount).toBe(1); // only the bootstrap admin
  });
});
