import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { startTestApp } from '../helpers/test-app.ts';
import { MINI, slowScenario, writeScenarios } from './operator-fixtures.ts';
import { gqlAt, until } from '../helpers/child-http.ts';

/**
 * Issue #5 acceptance: "Restarting the server mid-run leaves that run FAULT (interrupted) and the
 * scenario registry and history intact" — with a real crash: the CLI server in a child process is
 * killed with SIGKILL while a run is RUNNING, and a new server on the same database recovers.
 */
const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));

describe('a server killed while a run is in progress', () => {
  let child: ChildProcess | undefined;
  let restarted: App | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await restarted?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('leaves the run FAULT (interrupted) after the next start-up, with history and scenarios intact', { timeout: 40_000 }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-run-crash-'));
    const scenariosDir = await writeScenarios({ 'mini.yaml': MINI, 'slow.yaml': slowScenario('slow', 400) });
    dirs.push(dataDir, scenariosDir);
    const settings = { dataDir, databaseUrl: `sqlite:${path.join(dataDir, 'gatehouse.db')}`, scenariosDir, watchRules: false as const };
    const setup = await startTestApp(settings);
    const token = setup.adminToken;
    await setup.stop();

    let output = '';
    child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: dataDir,
      env: { ...process.env, GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_PORT: '0', GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: settings.databaseUrl, GATEHOUSE_SCENARIOS_DIR: scenariosDir, GATEHOUSE_WATCH_RULES: 'false', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child?.once('exit', (_code, signal) => resolve(signal)));
    const origin = await until('the child to listen', async () => /server on (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)?.[1] ?? null, 20_000).catch((err: Error) => {
      throw new Error(`${err.message}; child output:\n${output}`);
    });

    const done = await gqlAt<{ startRun: { run: { runId: string } } }>(origin, token, 'mutation { startRun(input: { scenarioId: "mini" }) { run { runId } } }');
    await until('the first run to complete', async () => ((await gqlAt<{ run: { state: string } }>(origin, token, `{ run(runId: "${done.startRun.run.runId}") { state } }`)).run.state === 'COMPLETED' ? true : null), 10_000);
    const started = await gqlAt<{ startRun: { run: { runId: string } } }>(origin, token, 'mutation { startRun(input: { scenarioId: "slow" }) { run { runId } } }');
    const runId = started.startRun.run.runId;
    await until('the run to be running', async () => {
      const r = (await gqlAt<{ run: { state: string; progress: { eventsCompleted: number } } }>(origin, token, `{ run(runId: "${runId}") { state progress { eventsCompleted } } }`)).run;
      return r.state === 'RUNNING' && r.progress.eventsCompleted > 5 ? r : null;
    }, 10_000);

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    restarted = createApp(parseConfig({ port: 0, logLevel: 'silent', readinessIntervalSeconds: 60, ...settings }));
    const { port } = await restarted.start();
    const after = await gqlAt<{ run: { state: string; endReason: string; message: string }; runs: { totalCount: number }; scenarios: { edges: { node: { id: string } }[] }; runLogs: { edges: { node: { eventType: string; level: string } }[] } }>(
      `http://127.0.0.1:${port}`,
      token,
      `{ run(runId: "${runId}") { state endReason message } runs { totalCount } scenarios { edges { node { id } } } runLogs(runId: "${runId}", filter: { eventType: RUN_FAULT }) { edges { node { eventType level } } } }`,
    );
    expect(after.run).toEqual({ state: 'FAULT', endReason: 'INTERRUPTED', message: 'the server stopped while the run was in progress' });
    expect(after.runs.totalCount).toBe(2);
    expect(after.scenarios.edges.map((e) => e.node.id)).toEqual(['mini', 'slow']);
    expect(after.runLogs.edges).toEqual([{ node: { eventType: 'RUN_FAULT', level: 'ERROR' } }]);
  });
});
