import { mkdir } from 'node:fs/promises';
import type { Config } from '../config.ts';
import type { ApiToken } from '../engine/auth/api-token.ts';
import { isRole } from '../engine/auth/roles.ts';
import { createTokenService } from '../engine/auth/token-service.ts';
import { isGatehouseError } from '../engine/errors.ts';
import { createDatabase } from '../persistence/database.ts';
import { createApiTokenRepository } from '../persistence/repositories/api-token-repository.ts';
import type { CliIo } from './io.ts';

/**
 * `gatehouse token create|list|revoke`: token administration straight on the database, so an
 * operator who lost every admin token can still get in. Works while the server runs (SQLite WAL).
 */
async function withTokens<T>(config: Config, run: (deps: { service: ReturnType<typeof createTokenService>; store: ReturnType<typeof createApiTokenRepository> }) => Promise<T>) {
  await mkdir(config.dataDir, { recursive: true });
  const db = await createDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await db.migrate();
    const store = createApiTokenRepository(() => db.fork());
    return await run({ service: createTokenService(store), store });
  } finally {
    await db.close();
  }
}

const describe = (t: ApiToken) =>
  [t.id, t.role.padEnd(8), t.name, t.agent ? `agent=${t.agent} roles=${t.agentRoles.join(',')}` : '', t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : `created ${t.createdAt.toISOString()}`]
    .filter(Boolean)
    .join('  ');

export async function tokenCreate(
  config: Config,
  io: CliIo,
  options: { role: string; name: string; agent?: string; agentRole?: string[]; json?: boolean },
): Promise<number> {
  const role = options.role.toLowerCase();
  if (!isRole(role)) {
    io.err(`--role must be one of viewer, operator, admin, agent (got ${JSON.stringify(options.role)})\n`);
    return 2;
  }
  try {
    const { secret, token } = await withTokens(config, ({ service }) =>
      service.create({ name: options.name, role, agent: options.agent ?? null, agentRoles: options.agentRole ?? [] }, null),
    );
    if (options.json) io.out(`${JSON.stringify({ token: secret, apiToken: token })}\n`);
    else io.out(`${describe(token)}\n\n${secret}\n\nStore it now: it is not shown again.\n`);
    return 0;
  } catch (err) {
    if (isGatehouseError(err)) {
      io.err(`${err.message.replace(/^agentRoles/, '--agent-role').replace(/^agent:/, '--agent:').replace(/^name:/, '--name:')}\n`);
      return 2;
    }
    throw err;
  }
}

export async function tokenList(config: Config, io: CliIo, options: { all?: boolean; json?: boolean }): Promise<number> {
  const tokens = await withTokens(config, async ({ store }) => {
    const all: ApiToken[] = [];
    let after: [string, string] | null = null;
    for (;;) {
      const page = await store.list({ includeRevoked: options.all ?? false }, after, 200);
      all.push(...page.slice(0, 200));
      const last = page[199];
      if (page.length <= 200 || !last) break;
      after = [last.createdAt.toISOString(), last.id];
    }
    return all;
  });
  if (options.json) io.out(`${JSON.stringify(tokens)}\n`);
  else io.out(tokens.length === 0 ? 'no tokens\n' : `${tokens.map(describe).join('\n')}\n`);
  return 0;
}

export async function tokenRevoke(config: Config, io: CliIo, id: string): Promise<number> {
  try {
    const token = await withTokens(config, ({ service }) => service.revoke(id));
    io.out(`revoked ${describe(token)}\n`);
    return 0;
  } catch (err) {
    if (isGatehouseError(err)) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
