import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

describe('a fresh server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers serverInfo without a token and readiness with the bootstrap admin token', async () => {
    const info = await t.gql('{ serverInfo { name apiVersion } }', undefined, null);
    expect(info.status).toBe(200);
    expect(info.body.data).toEqual({ serverInfo: { name: 'gatehouse', apiVersion: '1.0' } });
    expect(info.body.extensions).toEqual({ apiVersion: '1.0' });
    const ready = await t.gql<{ readiness: { state: string } }>('{ readiness { state } }');
    expect(ready.body.data?.readiness.state).toBe('READY');
  });
});
