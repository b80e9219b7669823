import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { MINI, writeScenarios } from '../operator/operator-fixtures.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

describe('gatehouse replay', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-cli-replay-'));
    env = { GATEHOUSE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('replays a shipped scenario and prints recall per technique and precision per rule', async () => {
    const c = capture();
    const { exitCode } = await runCli(['replay', 'linux-intrusion'], c.io, env);
    expect(c.err()).toBe('');
    expect(exitCode).toBe(0);
    expect(c.out()).toMatch(/^run run_\d{8}_\d{6}_[0-9a-f]{6}: Linux intrusion .* COMPLETED/);
    expect(c.out()).toMatch(/\ntechnique\s+name\s+expected\s+tags\s+TP\s+FP\s+FN\s+precision\s+recall\n/);
    expect(c.out()).toMatch(/\nT1003\.008\s+\/etc\/passwd and \/etc\/shadow\s+1\s+1\s+1\s+0\s+0\s+1\.000\s+1\.000\n/);
    expect(c.out()).toMatch(/\nrule\s+tags\s+TP\s+FP\s+FN\s+precision\s+recall\n/);
  });

  it('is a CI gate: exit 1 naming each missed threshold', async () => {
    const c = capture();
    const { exitCode } = await runCli(['replay', 'benign-admin-day', '--max-false-positives', '0', '--min-recall', '0.5'], c.io, env);
    expect(exitCode).toBe(1);
    expect(c.err()).toMatch(/^gate failed: --min-recall 0\.5: recall is undefined \(no labelled technique in the scenario, or metrics off\)\ngate failed: \d+ false positives exceed --max-false-positives 0\n$/);
  });

  it('replays a scenario file from anywhere and prints the run as JSON', async () => {
    const dir = await writeScenarios({ 'mini.yaml': MINI });
    const c = capture();
    const { exitCode } = await runCli(['replay', path.join(dir, 'mini.yaml'), '--json', '--speed', '50'], c.io, env);
    expect(exitCode).toBe(0);
    const run = JSON.parse(c.out()) as { state: string; params: { speed: number }; metrics: { volume: { steps: number } } };
    expect(run).toMatchObject({ state: 'COMPLETED', params: { speed: 50 }, metrics: { volume: { steps: 5 } } });
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 on bad usage or a scenario that is not there', async () => {
    const bad = capture();
    expect((await runCli(['replay', 'linux-intrusion', '--min-recall', '2'], bad.io, env)).exitCode).toBe(2);
    expect(bad.err()).toBe('gatehouse replay: --min-recall must be a number from 0 to 1, got "2"\n');
    const speed = capture();
    expect((await runCli(['replay', 'linux-intrusion', '--speed', 'warp'], speed.io, env)).exitCode).toBe(2);
    expect(speed.err()).toMatch(/--speed/);
    const missing = capture();
    expect((await runCli(['replay', 'no-such-scenario'], missing.io, env)).exitCode).toBe(2);
    expect(missing.err()).toMatch(/^no scenario "no-such-scenario" in .*; known: agent-drift, benign-admin-day, linux-intrusion, ssh-brute-force\n$/);
  });
});
