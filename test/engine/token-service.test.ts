import { describe, expect, it } from 'vitest';
import type { ApiToken, ApiTokenStore, NewApiToken } from '../../src/engine/auth/api-token.ts';
import { createTokenService } from '../../src/engine/auth/token-service.ts';
import { hashTokenSecret } from '../../src/engine/auth/token-secret.ts';
import { GatehouseError } from '../../src/engine/errors.ts';

/** An in-memory store: the service's rules do not depend on the database. */
function memoryStore() {
  const rows = new Map<string, NewApiToken & { lastUsedAt: Date | null; revokedAt: Date | null }>();
  const strip = ({ secretHash: _s, ...t }: NewApiToken & { lastUsedAt: Date | null; revokedAt: Date | null }): ApiToken => t;
  const calls = { lookups: 0, activeIds: [] as string[][], touchMany: [] as string[][] };
  const store: ApiTokenStore & { rows: typeof rows; calls: typeof calls } = {
    rows,
    calls,
    async insert(t) {
      rows.set(t.id, { ...t, lastUsedAt: null, revokedAt: null });
      return strip(rows.get(t.id)!);
    },
    async findBySecretHash(hash) {
      calls.lookups += 1;
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
    async activeIds(ids) {
      calls.activeIds.push([...ids]);
      return new Set(ids.filter((id) => rows.has(id) && rows.get(id)?.revokedAt === null));
    },
    async touchMany(ids, at) {
      calls.touchMany.push([...ids]);
      for (const id of ids) {
        const row = rows.get(id);
        if (row) row.lastUsedAt = at;
      }
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
    expect(await service.verify(secret)).not.toBeNull(); // cached, and not yet due for confirmation
    at += 3_001;
    expect(await service.verify(secret)).toBeNull();
  });

  it('confirms a fleet of cached tokens with one query and drops one revoked elsewhere', async () => {
    const store = memoryStore();
    let at = Date.parse('2026-12-03T00:00:00Z');
    const service = createTokenService(store, () => new Date(at));
    const fleet = await Promise.all(['a', 'b', 'c'].map((n) => service.create({ name: n, role: 'agent', agent: `agent-${n}`, agentRoles: ['developer'] }, null)));
    for (const { secret } of fleet) expect(await service.verify(secret)).not.toBeNull();
    expect(store.calls.lookups).toBe(3);
    store.rows.get(fleet[1]!.token.id)!.revokedAt = new Date(at); // revoked by another instance
    at += 2_600; // past half the cache time: the next verification confirms the cache in the background
    expect(await service.verify(fleet[0]!.secret)).not.toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.calls.activeIds).toEqual([fleet.map((f) => f.token.id)]);
    expect(await service.verify(fleet[1]!.secret)).toBeNull();
    // The others were confirmed: still trusted past their first five seconds, without a lookup each.
    at += 4_000;
    expect(await service.verify(fleet[2]!.secret)).not.toBeNull();
    expect(store.calls.lookups).toBe(4); // only the revoked one was looked up again
  });

  it('writes lastUsedAt at first use, then for tokens in continuous use in one statement a minute', async () => {
    const store = memoryStore();
    const t0 = Date.parse('2026-12-03T00:00:00Z');
    let at = t0;
    const service = createTokenService(store, () => new Date(at));
    const fleet = await Promise.all(['a', 'b'].map((n) => service.create({ name: n, role: 'agent', agent: `agent-${n}`, agentRoles: ['developer'] }, null)));
    const ids = fleet.map((f) => f.token.id);
    for (let second = 0; second <= 65; second += 1) {
      at = t0 + second * 1000;
      for (const { secret } of fleet) expect(await service.verify(secret)).not.toBeNull();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(store.calls.lookups).toBe(2); // confirmed every 2.5 s, never looked up again
    // 132 verifications: the two first uses, then each token once after a minute, in at most two statements.
    const [first, second, ...later] = store.calls.touchMany;
    expect([first, second]).toEqual([[ids[0]], [ids[1]]]);
    expect(later.length).toBeLessThanOrEqual(2);
    expect(later.flat().sort()).toEqual([...ids].sort());
    for (const id of ids) expect(store.rows.get(id!)?.lastUsedAt?.getTime()).toBeGreaterThanOrEqual(t0 + 60_000);
  });

  it('rejects malformed and unknown secrets without a store lookup', async () => {
    const service = createTokenService(memoryStore());
    expect(await service.verify('gh_short')).toBeNull();
    expect(await service.verify(`gh_${'A'.repeat(43)}`)).toBeNull();
  });
});
