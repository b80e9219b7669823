import type { EntityManager } from '@mikro-orm/knex';
import type { GovernanceStore, StoredGovernanceRevision } from '../../engine/governance/governance-store.ts';
import { fromJson, knexOf } from './sql-values.ts';

function fromRow(row: { record: unknown }): StoredGovernanceRevision {
  const r = fromJson<StoredGovernanceRevision & { updatedAt: string }>(row.record);
  return { ...r, updatedAt: new Date(r.updatedAt) };
}

/**
 * Governance revisions: one row per revision, the whole revision as JSON. The revision number is the
 * primary key, so of two writers that read the same head only one insert lands (`on conflict do
 * nothing` reports which) — the compare-and-set of `updateGovernance`, on SQLite and PostgreSQL alike.
 */
export function createGovernanceRepository(em: () => EntityManager): GovernanceStore {
  const knex = () => knexOf(em());
  return {
    async latest() {
      const row = await knex()('governance_revisions').orderBy('revision', 'desc').first();
      return row ? fromRow(row) : null;
    },
    async insert(r) {
      const inserted = await knex()('governance_revisions')
        .insert({ revision: r.revision, record: JSON.stringify(r), updated_at: r.updatedAt.getTime() })
        .onConflict('revision')
        .ignore()
        .returning('revision');
      return inserted.length === 1;
    },
    async list(before, limit) {
      const q = knex()('governance_revisions').orderBy('revision', 'desc').limit(limit);
      if (before !== null) q.where('revision', '<', before);
      return (await q).map(fromRow);
    },
    async count() {
      const [row] = await knex()('governance_revisions').count({ n: '*' });
      return Number(row?.n ?? 0);
    },
  };
}
