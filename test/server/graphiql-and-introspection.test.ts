import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Production hides the schema (no introspection, no GraphiQL); development serves a GraphiQL whose
 * assets are bundled, because Yoga's default page loads them from a CDN and fails offline (DESIGN §10).
 */
const INTROSPECTION = '{ __schema { types { name } } }';

describe('in production mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ mode: 'production' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses an introspection query with GRAPHQL_VALIDATION_FAILED', async () => {
    const r = await t.gql(INTROSPECTION);
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.message).toBe('GraphQL introspection has been disabled, but the requested query contained the field "__schema".');
    expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', details: { locations: [{ line: 1, column: 3 }] } });
  });

  it('refuses __type lookups too', async () => {
    const r = await t.gql('{ __type(name: "Query") { name } }');
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('does not serve GraphiQL to a browser', async () => {
    const response = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(response.status).not.toBe(200);
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toMatch(/graphiql/i);
  });

  it('does not suggest field names in validation errors', async () => {
    const r = await t.gql('{ serverInf { name } }');
    expect(r.body.errors?.[0]?.message).toBe('Cannot query field "serverInf" on type "Query". [Suggestion hidden]');
  });

  it('leaves serverInfo without the graphiql capability', async () => {
    const r = await t.gql<{ serverInfo: { mode: string; capabilities: string[] } }>('{ serverInfo { mode capabilities } }', undefined, null);
    expect(r.body.data?.serverInfo.mode).toBe('production');
    expect(r.body.data?.serverInfo.capabilities).not.toContain('graphiql');
  });
});

describe('in development mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ mode: 'development' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers an introspection query', async () => {
    const r = await t.gql<{ __schema: { types: { name: string }[] } }>(INTROSPECTION);
    expect(r.status).toBe(200);
    expect(r.body.data?.__schema.types.map((type) => type.name)).toContain('Query');
  });

  it('serves a GraphiQL page that loads no script or stylesheet from another origin', async () => {
    const response = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/<title>Gatehouse GraphiQL<\/title>/);
    const tags = html.match(/<(script|link)\b[^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    const remote = tags.filter((tag) => /\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(tag));
    expect(remote).toEqual([]);
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr\.net|esm\.sh/);
  });
});
