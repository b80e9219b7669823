import type { EntityManager } from '@mikro-orm/knex';
import type { ApiToken, ApiTokenFilter, ApiTokenStore, NewApiToken } from '../../engine/auth/api-token.ts';
import { ROLES, type Role } from '../../engine/auth/roles.ts';
import { ApiTokenEntity, type ApiTokenRow } from '../entities/api-token.entity.ts';
import { chunks } from './sql-values.ts';

/** Ids per `in (…)` list: under SQLite's default limit of bound parameters. */
const ID_BATCH = 500;

function toApiToken(row: ApiTokenRow): ApiToken {
  const { secretHash: _secret, ...token } = row;
  return { ...token, agentRoles: [...row.agentRoles] };
}

function where(filter: ApiTokenFilter) {
  return {
    ...(filter.role ? { role: filter.role } : {}),
    ...(filter.includeRevoked ? {} : { revokedAt: null }),
  };
}

/** API tokens on MikroORM. `em` must be a fork owned by the caller (one per request). */
export function createApiTokenRepository(em: () => EntityManager): ApiTokenStore {
  return {
    async insert(token: NewApiToken) {
      const e = em();
      const row = e.create(ApiTokenEntity, { ...token, lastUsedAt: null, revokedAt: null });
      await e.persistAndFlush(row);
      return toApiToken(row);
    },
    async findBySecretHash(secretHash) {
      const row = await em().findOne(ApiTokenEntity, { secretHash });
      return row ? toApiToken(row) : null;
    },
    async findById(id) {
      const row = await em().findOne(ApiTokenEntity, { id });
      return row ? toApiToken(row) : null;
    },
    async list(filter, after, limit) {
      const keyset = after
        ? { $or: [{ createdAt: { $lt: new Date(after[0]) } }, { createdAt: new Date(after[0]), id: { $lt: after[1] } }] }
        : {};
      const rows = await em().find(
        ApiTokenEntity,
        { ...where(filter), ...keyset },
        { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
      );
      return rows.map(toApiToken);
    },
    count(filter) {
      return em().count(ApiTokenEntity, where(filter));
    },
    async revoke(id, at) {
      const e = em();
      const row = await e.findOne(ApiTokenEntity, { id });
      if (!row) return null;
      if (!row.revokedAt) {
        row.revokedAt = at;
        await e.flush();
      }
      return toApiToken(row);
    },
    async activeIds(ids) {
      const active = new Set<string>();
      for (const batch of chunks([...new Set(ids)], ID_BATCH)) {
        const rows = await em().find(ApiTokenEntity, { id: { $in: batch }, revokedAt: null }, { fields: ['id'] });
        for (const row of rows) active.add(row.id);
      }
      return active;
    },
    async touchMany(ids, at) {
      for (const batch of chunks([...new Set(ids)], ID_BATCH)) await em().nativeUpdate(ApiTokenEntity, { id: { $in: batch } }, { lastUsedAt: at });
    },
    async countActiveByRole() {
      const rows: { role: string; n: number | string }[] = await em()
        .getConnection()
        .execute('select role, count(*) as n from api_tokens where revoked_at is null group by role');
      const counts = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
      for (const { role, n } of rows) if (role in counts) counts[role as Role] = Number(n);
      return counts;
    },
  };
}
