import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { connectWs, record, type WsConnection } from './ws-client.ts';

/** graphql-ws authenticates once, in `connection_init` (DESIGN §5 "Auth"). */
describe('graphql-ws authentication', () => {
  let t: TestApp;
  const open: WsConnection[] = [];
  const connect = (authorization?: string) => {
    const connection = connectWs(t.wsUrl, authorization);
    open.push(connection);
    return connection;
  };
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.dispose()));
  });
  afterAll(async () => {
    await t.stop();
  });

  it('streams the current readiness first to a subscriber with a valid token', async () => {
    const viewer = await t.tokenFor('viewer');
    const ws = connect(`Bearer ${viewer}`);
    const op = record(ws.client, { query: 'subscription { readinessChanged { state subsystems { name status } } }' });
    const first = await op.event(0);
    expect(first.kind).toBe('next');
    if (first.kind !== 'next') return;
    expect(first.result.errors).toBeUndefined();
    expect(first.result.extensions).toEqual({ apiVersion: '1.0' });
    const readiness = (first.result.data as { readinessChanged: { state: string; subsystems: { name: string; status: string }[] } }).readinessChanged;
    expect(readiness.state).toBe('READY');
    expect(readiness.subsystems.map((s) => s.name)).toEqual(expect.arrayContaining(['database', 'pubsub', 'server']));
    expect(readiness.subsystems.every((s) => s.status === 'UP')).toBe(true);
    op.unsubscribe();
  });

  it('closes the connection with 4403 when connection_init carries an unknown token', async () => {
    const ws = connect(`Bearer gh_${'A'.repeat(43)}`);
    const closed = await ws.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toBe('Forbidden');
  });

  it('closes the connection with 4403 when the authorization is not a bearer token', async () => {
    const ws = connect('Basic dXNlcjpwYXNz');
    expect((await ws.closed).code).toBe(4403);
  });

  it('answers a subscription without a token with UNAUTHENTICATED and keeps the socket open', async () => {
    const ws = connect();
    await ws.connected;
    const op = record(ws.client, { query: 'subscription { readinessChanged { state } }' });
    const first = await op.event(0);
    expect(first.kind).toBe('next');
    if (first.kind !== 'next') return;
    expect(first.result.data ?? null).toBeNull();
    expect(first.result.errors).toHaveLength(1);
    expect(first.result.errors?.[0]?.message).toBe("'Subscription.readinessChanged' needs an API token: send 'Authorization: Bearer <token>'");
    expect(first.result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', details: { reason: 'missing_token' } });
    expect(await op.event(1)).toEqual({ kind: 'complete' });

    const info = record(ws.client, { query: '{ serverInfo { name } }' });
    const answer = await info.event(0);
    expect(answer).toMatchObject({ kind: 'next', result: { data: { serverInfo: { name: 'gatehouse' } } } });
    expect(ws.isOpen()).toBe(true);
  });

  it('stops accepting a revoked token on new connections', async () => {
    const { secret, token } = await t.app.tokens().create({ name: 'ws revoke', role: 'viewer' }, null);
    const before = connect(`Bearer ${secret}`);
    await before.connected;
    await t.app.tokens().revoke(token.id);
    const after = connect(`Bearer ${secret}`);
    expect((await after.closed).code).toBe(4403);
  });

  it('closes an already open socket with 4403 at its next operation once its token is revoked', async () => {
    const { secret, token } = await t.app.tokens().create({ name: 'ws revoke open', role: 'viewer' }, null);
    const ws = connect(`Bearer ${secret}`);
    await ws.connected;
    const before = record(ws.client, { query: '{ readiness { state } }' });
    expect(await before.event(0)).toMatchObject({ kind: 'next', result: { data: { readiness: { state: 'READY' } } } });
    await t.app.tokens().revoke(token.id);
    record(ws.client, { query: '{ readiness { state } }' });
    expect(await ws.closed).toEqual({ code: 4403, reason: 'Forbidden: token revoked' });
  });
});
