import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

describe('gatehouse token', () => {
  const env = { GATEHOUSE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gatehouse-cli-')), LOG_LEVEL: 'silent' };

  it('creates, lists and revokes tokens on the database', async () => {
    const created = capture();
    const result = await runCli(['token', 'create', '--role', 'agent', '--name', 'deploy bot', '--agent', 'deployer', '--agent-role', 'developer', 'ops', '--json'], created.io, env);
    expect(result.exitCode).toBe(0);
    const { token, apiToken } = JSON.parse(created.out()) as { token: string; apiToken: { id: string; agent: string; agentRoles: string[] } };
    expect(token).toMatch(/^gh_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toMatchObject({ agent: 'deployer', agentRoles: ['developer', 'ops'] });

    const listed = capture();
    await runCli(['token', 'list'], listed.io, env);
    expect(listed.out()).toContain(apiToken.id);
    expect(listed.out()).not.toContain(token);

    const revoked = capture();
    expect((await runCli(['token', 'revoke', apiToken.id], revoked.io, env)).exitCode).toBe(0);
    const after = capture();
    await runCli(['token', 'list'], after.io, env);
    expect(after.out()).not.toContain(apiToken.id);
    const all = capture();
    await runCli(['token', 'list', '--all'], all.io, env);
    expect(all.out()).toMatch(new RegExp(`${apiToken.id}.*revoked`));
  });

  it('explains a bad role or missing agent binding and exits 2', async () => {
    const badRole = capture();
    expect((await runCli(['token', 'create', '--role', 'root', '--name', 'x'], badRole.io, env)).exitCode).toBe(2);
    expect(badRole.err()).toContain('--role must be one of viewer, operator, admin, agent (got "root")');
    const noAgent = capture();
    expect((await runCli(['token', 'create', '--role', 'agent', '--name', 'x'], noAgent.io, env)).exitCode).toBe(2);
    expect(noAgent.err()).toContain('--agent');
  });

  it('says which token id was not found', async () => {
    const missing = capture();
    expect((await runCli(['token', 'revoke', 'nope'], missing.io, env)).exitCode).toBe(1);
    expect(missing.err()).toContain('no API token with id "nope"');
  });
});

describe('gatehouse schema print --check', () => {
  it('passes on the committed schema', async () => {
    const io = capture();
    expect((await runCli(['schema', 'print', '--check'], io.io, {})).exitCode).toBe(0);
  });
});
