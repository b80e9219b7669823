import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/** Bearer-token authentication and role checks over HTTP (DESIGN §5 "Auth"). */
describe('authentication over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
  });

  const post = (query: string, headers: Record<string, string> = {}) =>
    fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });

  it('answers a protected query without a token with 401 UNAUTHENTICATED', async () => {
    const r = await t.gql('{ readiness { state } }', undefined, null);
    expect(r.status).toBe(401);
    expect(r.body.data).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors?.[0]?.message).toBe("'Query.readiness' needs an API token: send 'Authorization: Bearer <token>'");
    expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', details: { reason: 'missing_token' } });
  });

  it('refuses an Authorization header that is not a bearer token with 401', async () => {
    const response = await post('{ serverInfo { version } }', { authorization: 'Basic dXNlcjpwYXNz' });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { extensions: unknown }[] };
    expect(body.errors[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', details: { reason: 'malformed_authorization' } });
  });

  it('refuses a malformed or unknown token with 401, even on a public field', async () => {
    // 'nope' fails the shape check; the second is well-formed (gh_ + 43 base64url) but was never issued.
    for (const token of ['nope', `gh_${'A'.repeat(43)}`]) {
      const r = await t.gql('{ serverInfo { version } }', undefined, token);
      expect(r.status).toBe(401);
      expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', details: { reason: 'invalid_token' } });
    }
  });

  it('stops accepting a token as soon as revokeApiToken revokes it', async () => {
    const created = await t.gql<{ createApiToken: { token: string; apiToken: { tokenId: string } } }>(
      'mutation { createApiToken(input: { name: "short lived", role: VIEWER }) { token apiToken { tokenId } } }',
    );
    const { token, apiToken } = created.body.data!.createApiToken;
    const before = await t.gql('{ readiness { state } }', undefined, token);
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual({ readiness: { state: 'READY' } });

    const revoked = await t.gql<{ revokeApiToken: { userErrors: unknown[]; apiToken: { revokedAt: string | null } } }>(
      'mutation ($id: String!) { revokeApiToken(input: { id: $id }) { userErrors { code } apiToken { revokedAt } } }',
      { id: apiToken.tokenId },
    );
    expect(revoked.body.data?.revokeApiToken.userErrors).toEqual([]);
    expect(revoked.body.data?.revokeApiToken.apiToken.revokedAt).not.toBeNull();

    const after = await t.gql('{ readiness { state } }', undefined, token);
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', details: { reason: 'invalid_token' } });
  });

  it('answers a viewer calling createApiToken with 403 FORBIDDEN naming the roles that may', async () => {
    const viewer = await t.tokenFor('viewer');
    const r = await t.gql('mutation { createApiToken(input: { name: "sneaky", role: ADMIN }) { token } }', undefined, viewer);
    expect(r.status).toBe(403);
    expect(r.body.data).toBeNull();
    expect(r.body.errors?.[0]?.message).toBe("'Mutation.createApiToken' needs one of the roles admin; this token's role is viewer");
    expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', details: { role: 'viewer', requiredRoles: ['admin'] } });
  });

  it('puts apiVersion and an x-request-id on successful and failed responses alike', async () => {
    const responses = [
      await post('{ serverInfo { version } }'),
      await post('{ readiness { state } }'),
      await post('{ serverInfo { version }'),
      await post('{ serverInfo { version } }', { authorization: 'Bearer nope' }),
      await fetch(`${t.url}?query=${encodeURIComponent('{ serverInfo { version } }')}`),
    ];
    for (const response of responses) {
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const body = (await response.json()) as { extensions?: { apiVersion?: string } };
      expect(body.extensions?.apiVersion).toBe('1.0');
    }
    const ids = new Set(responses.map((r) => r.headers.get('x-request-id')));
    expect(ids.size).toBe(responses.length);
  });

  it('echoes a well-formed incoming x-request-id and replaces a malformed one', async () => {
    const echoed = await post('{ serverInfo { version } }', { 'x-request-id': 'client-42.retry:1' });
    expect(echoed.headers.get('x-request-id')).toBe('client-42.retry:1');
    const replaced = await post('{ serverInfo { version } }', { 'x-request-id': 'has spaces <and> brackets' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
