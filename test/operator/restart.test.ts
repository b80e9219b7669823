import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { eventually } from '../helpers/tagging.ts';
import { MINI, slowScenario, writeScenarios } from './operator-fixtures.ts';

describe('a server restarted mid-run', () => {
  let dataDir: string;
  let scenariosDir: string;
  const apps: App[] = [];
  const boot = async () => {
    const app = createApp(parseConfig({ port: 0, dataDir, logLevel: 'silent', scenariosDir, watchRules: false, readinessIntervalSeconds: 60 }));
    await app.start();
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-restart-'));
    scenariosDir = await writeScenarios({ 'mini.yaml': MINI, 'slow.yaml': slowScenario('slow', 200) });
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(scenariosDir, { recursive: true, force: true });
  });

  it('leaves the run FAULT (interrupted) and keeps the scenario registry and the history', async () => {
    const first = await boot();
    const ops = first.operator();
    const done = (await ops.runs.start({ scenarioId: 'mini', overrides: {}, idempotencyKey: null }, 'tester')).run;
    await eventually(async () => (await ops.runs.get(done.runId))?.state === 'COMPLETED', 10_000);
    const running = (await ops.runs.start({ scenarioId: 'slow', overrides: {}, idempotencyKey: null }, 'tester')).run;
    await eventually(async () => ((await ops.runs.get(running.runId))?.progress.eventsCompleted ?? 0) > 3, 10_000);
    await first.stop();

    const second = await boot();
    const again = second.operator();
    expect(await again.runs.get(running.runId)).toMatchObject({ state: 'FAULT', endReason: 'interrupted', message: 'the server stopped while the run was in progress' });
    expect(await again.runs.get(done.runId)).toMatchObject({ state: 'COMPLETED', metrics: { volume: { steps: 5 } } });
    expect(again.scenarios.list().map((s) => s.id)).toEqual(['mini', 'slow']);
    const logs = await again.runStore.logs(running.runId, {}, 0, 1000);
    expect(logs.at(-1)).toMatchObject({ eventType: 'run_fault', level: 'ERROR' });
    expect(logs.map((l) => l.seq)).toEqual(logs.map((_l, i) => i + 1));
  });
});
