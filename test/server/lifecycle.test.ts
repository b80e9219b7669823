import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWs, record, type WsConnection } from './ws-client.ts';

/**
 * The real CLI, end to end: first start writes and prints the bootstrap admin token; SIGTERM closes
 * WebSockets with 1001 (going away) and exits 0 (src/main.ts, App.stop).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A port that was free a moment ago: listen on 0, read it, close. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForHealth(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    const healthy = await fetch(`${origin}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server never became healthy:\n${output()}`);
}

describe('the gatehouse serve command', () => {
  let child: ChildProcess | undefined;
  let ws: WsConnection | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await ws?.dispose();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the admin token once, serves WebSockets and shuts down cleanly on SIGTERM', { timeout: 30_000 }, async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-cli-'));
    const port = await freePort();
    let stdout = '';
    let stderr = '';
    child = spawn(process.execPath, ['bin/gatehouse.js', 'serve'], {
      cwd: ROOT,
      env: { ...process.env, GATEHOUSE_PORT: String(port), GATEHOUSE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', GATEHOUSE_MODE: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child?.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const origin = `http://127.0.0.1:${port}`;
    await waitForHealth(origin, child, () => `${stdout}\n${stderr}`);

    const tokenFile = path.join(dataDir, 'admin.token');
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(token).toMatch(/^gh_[A-Za-z0-9_-]{43}$/);
    expect(stdout.split(token).length - 1).toBe(1);
    expect(stdout).toContain(`Gatehouse production server on ${origin}/graphql`);

    ws = connectWs(`ws://127.0.0.1:${port}/graphql`, `Bearer ${token}`);
    const readiness = record(ws.client, { query: 'subscription { readinessChanged { state } }' });
    expect(await readiness.event(0)).toMatchObject({ kind: 'next', result: { data: { readinessChanged: { state: 'READY' } } } });

    child.kill('SIGTERM');
    const closed = await ws.closed;
    expect(closed).toEqual({ code: 1001, reason: 'server shutting down' });
    const exit = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000)),
    ]);
    expect(exit, `stdout:\n${stdout}\nstderr:\n${stderr}`).toEqual({ code: 0, signal: null });
    expect(stderr).toContain('received SIGTERM, shutting down');
  });
});
