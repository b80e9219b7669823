import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { connectWs, record, type WsConnection } from './ws-client.ts';

/**
 * One bad operation must not take the socket down with it (DESIGN §10: the usual Yoga + graphql-ws
 * wiring closes the whole socket with 4500 on a syntax error). Errors sent over the socket carry no
 * `extensions.http`, which only means something to HTTP.
 */
describe('graphql-ws operation isolation', () => {
  let t: TestApp;
  let viewer: string;
  const open: WsConnection[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    viewer = await t.tokenFor('viewer');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.dispose()));
  });
  afterAll(async () => {
    await t.stop();
  });

  const connect = async () => {
    const ws = connectWs(t.wsUrl, `Bearer ${viewer}`);
    open.push(ws);
    await ws.connected;
    return ws;
  };

  it('keeps the socket open when one subscription has a syntax error', async () => {
    const ws = await connect();
    const live = record(ws.client, { query: 'subscription { readinessChanged { state } }' });
    expect(await live.event(0)).toMatchObject({ kind: 'next', result: { data: { readinessChanged: { state: 'READY' } } } });

    const broken = record(ws.client, { query: 'subscription { readinessChanged { state }' });
    const failure = await broken.event(0);
    expect(failure.kind).toBe('error');
    if (failure.kind !== 'error') return;
    expect(failure.error).toEqual([
      {
        message: 'Syntax Error: Expected Name, found <EOF>.',
        locations: [{ line: 1, column: 42 }],
        extensions: { code: 'GRAPHQL_PARSE_FAILED', details: { locations: [{ line: 1, column: 42 }] } },
      },
    ]);

    const after = record(ws.client, { query: '{ serverInfo { version } }' });
    expect(await after.event(0)).toMatchObject({ kind: 'next', result: { data: { serverInfo: { version: expect.any(String) } } } });
    const again = record(ws.client, { query: 'subscription { readinessChanged { state } }' });
    expect(await again.event(0)).toMatchObject({ kind: 'next', result: { data: { readinessChanged: { state: 'READY' } } } });

    expect(ws.isOpen()).toBe(true);
    // The first subscription is still live: it got its one event and neither an error nor a completion.
    expect(live.events).toHaveLength(1);
    live.unsubscribe();
    again.unsubscribe();
  });

  it('answers a document that fails validation with an error for that operation only', async () => {
    const ws = await connect();
    const invalid = record(ws.client, { query: 'subscription { readinessChanged { noSuchField } }' });
    const failure = await invalid.event(0);
    expect(failure.kind).toBe('error');
    if (failure.kind !== 'error') return;
    const [error] = failure.error as { message: string; extensions: Record<string, unknown> }[];
    expect(error?.message).toBe('Cannot query field "noSuchField" on type "Readiness".');
    expect(error?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', details: { locations: [{ line: 1, column: 35 }] } });

    const info = record(ws.client, { query: '{ serverInfo { name } }' });
    expect(await info.event(0)).toMatchObject({ kind: 'next', result: { data: { serverInfo: { name: 'gatehouse' } } } });
    expect(ws.isOpen()).toBe(true);
  });

  it('sends no extensions.http in errors over the socket', async () => {
    const ws = await connect();
    const parse = record(ws.client, { query: '{ serverInfo {' });
    const admin = record(ws.client, { query: '{ apiTokens { totalCount } }' });
    const parseEvent = await parse.event(0);
    const adminEvent = await admin.event(0);
    const errors = [
      ...(parseEvent.kind === 'error' ? (parseEvent.error as { extensions?: Record<string, unknown> }[]) : []),
      ...(adminEvent.kind === 'next' ? (adminEvent.result.errors ?? []) : []),
    ];
    expect(errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED', 'FORBIDDEN']);
    for (const error of errors) expect(error.extensions).not.toHaveProperty('http');
    expect(ws.isOpen()).toBe(true);
  });
});
