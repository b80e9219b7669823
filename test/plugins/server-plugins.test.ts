import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/** A plugin written for another API major is listed as FAILED while the server keeps serving. */
describe('plugins on a running server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ pluginDirs: [path.resolve(import.meta.dirname, '../fixtures/plugins/api-major')], watchRules: false });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('lists a plugin with apiVersion 2.0.0 as FAILED, quoting both versions, and keeps the others', async () => {
    const response = await t.gql<{ plugins: { name: string; status: string; error: string | null }[] }>('{ plugins { name status error } }');
    const byName = Object.fromEntries((response.body.data?.plugins ?? []).map((p) => [p.name, p]));
    expect(byName['future-api']?.status).toBe('FAILED');
    expect(byName['future-api']?.error).toContain('2.0.0');
    expect(byName['future-api']?.error).toContain('1.0.0');
    expect(byName['good-neighbour']?.status).toBe('LOADED');
    expect(byName['credential-lifter']?.status).toBe('LOADED');
  });

  it('reports the failure as a DEGRADED plugins subsystem and still serves', async () => {
    const response = await t.gql<{ readiness: { state: string; subsystems: { name: string; status: string }[]; hints: { message: string }[] }; serverInfo: { name: string } }>(
      '{ serverInfo { name } readiness { state subsystems { name status } hints { message } } }',
    );
    expect(response.body.data?.serverInfo.name).toBe('gatehouse');
    expect(response.body.data?.readiness.state).toBe('DEGRADED');
    expect(response.body.data?.readiness.subsystems.find((s) => s.name === 'plugins')?.status).toBe('DEGRADED');
    expect(response.body.data?.readiness.hints.some((h) => h.message.includes('future-api'))).toBe(true);
  });
});
