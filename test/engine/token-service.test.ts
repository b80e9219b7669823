import { describe, expect, it } from 'vitest';
import type { ApiToken, ApiTokenStore, NewApiToken } from '../../src/engine/auth/api-token.ts';
import { createTokenService } from '../../src/engine/auth/token-service.ts';
import { hashTokenSecret } from '../../src/engine/auth/token-secret.ts';
import { GatehouseError } from '../../src/engine/errors.ts';

/** An in-memory store: the service's rules do not depend on the database. */
function memoryStore() {
  const rows = new Map<string, NewApiToken & { lastUsedAt: Date | null; revokedAt: Date | null }>();
  const strip = ({ secretHash: _s, ...t }: NewApiToken & { lastUsedAt: Date | null; revokedAt: Date | null }): ApiToken => t;
  const store: ApiTokenStore & { rows: typeof rows } = {
    rows,
    async insert(t) {
      rows.set(t.id, { ...t, lastUsedAt: null, revokedAt: null });
      return strip(rows.get(t.id)!);
    },
    async findBySecretHash(hash) {
      const row = [...rows.values()].find((r) => r.secretHash === hash);
      return row ? strip(row) : null;
    },
    async findById(id) {
      const row = rows.get(id);
      return row ? strip(row) : null;
    },
    async list() {
      return [...rows.values()].map(strip);
    },
    async count() {
      return rows.size;
    },
    async revoke(id, at) {
      const row = rows.get(id);
      if (!row) return null;
      row.revokedAt ??= at;
      return strip(row);
    },
    async touch(id, at) {
      const row = rows.get(id);
      if (row) row.lastUsedAt = at;
    },
    async countActiveByRole() {
      return { viewer: 0, operator: 0, admin: 0, agent: 0 };
    },
  };
  return store;
}

const code = async (run: () => Promise<unknown>) => {
  try {
    await run();
    return null;
  } catch (err) {
    return err instanceof GatehouseError ? `${err.code}:${String((err.details as { field?: unknown }).field)}` : String(err);
  }
};

describe('token service', () => {
  it('stores only the hash of the secret and verifies the secret to its principal', async () => {
    const store = memoryStore();
    const service = createTokenService(store);
    const { secret, token } = await service.create({ name: 'ci', role: 'operator' }, null);
    const row = store.rows.get(token.id)!;
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secretHash).toBe(hashTokenSecret(secret));
    expect(await service.verify(secret)).toMatchObject({ tokenId: token.id, role: 'operator', agent: null });
    expect(row.lastUsedAt).toBeInstanceOf(Date);
  });

  it('binds an agent token to its agent and roles', async () => {
    const service = createTokenService(memoryStore());
    const { secret } = await service.create({ name: 'bot', role: 'agent', agent: 'claude', agentRoles: ['developer', 'developer'] }, null);
    expect(await service.verify(secret)).toMatchObject({ role: 'agent', agent: 'claude', agentRoles: ['developer'] });
  });

  it('refuses agent fields on non-agent tokens and agent tokens without them', async () => {
    const service = createTokenService(memoryStore());
    expect(await code(() => service.create({ name: 'x', role: 'agent', agentRoles: ['dev'] }, null))).toBe('BAD_USER_INPUT:agent');
    expect(await code(() => service.create({ name: 'x', role: 'agent', agent: 'a' }, null))).toBe('BAD_USER_INPUT:agentRoles');
    expect(await code(() => service.create({ name: 'x', role: 'viewer', agent: 'a' }, null))).toBe('BAD_USER_INPUT:agent');
    expect(await code(() => service.create({ name: '', role: 'viewer' }, null))).toBe('BAD_USER_INPUT:name');
  });

  it('stops accepting a revoked token at once, even while it is cached', async () => {
    const service = createTokenService(memoryStore());
    const { secret, token } = await service.create({ name: 'x', role: 'viewer' }, null);
    expect(await service.verify(secret)).not.toBeNull();
    await service.revoke(token.id);
    expect(await service.verify(secret)).toBeNull();
    expect(await code(() => service.revoke('missing'))).toBe('NOT_FOUND:undefined');
  });

  it('trusts a verified token from memory for at most 5 s, so a revocation by another instance applies within that', async () => {
    const store = memoryStore();
    let at = Date.parse('2026-12-03T00:00:00Z');
    const service = createTokenService(store, () => new Date(at));
    const { secret, token } = await service.create({ name: 'x', role: 'viewer' }, null);
    expect(await service.verify(secret)).not.toBeNull();
    store.rows.get(token.id)!.revokedAt = new Date(at); // revoked behind this instance's back
    at += 2_000;
    expect(await service.verify(secret)).not.toBeNull(); // still inside the shortest lifetime (2.5 s)
    at += 3_001;
    expect(await service.verify(secret)).toBeNull();
  });

  it('rejects malformed and unknown secrets without a store lookup', async () => {
    const service = createTokenService(memoryStore());
    expect(await service.verify('gh_short')).toBeNull();
    expect(await service.verify(`gh_${'A'.repeat(43)}`)).toBeNull();
  });
});
