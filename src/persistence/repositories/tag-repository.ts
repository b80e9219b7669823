import type { EntityManager } from '@mikro-orm/knex';
import type { StoredTag, TagStore, TechniqueCount } from '../../engine/tagging/tag-store.ts';
import { toRunKey } from '../entities/run-key.ts';
import { commitTagging } from './tag-commit.ts';
import { applyTagFilter } from './tag-filter.ts';
import { fromEventColumns, fromTagColumns, fromTaggedEventColumns } from './tag-rows.ts';
import { chunks, knexOf } from './sql-values.ts';

/**
 * `TagStore` plus one widening: tag ids do not name the run (tag-id.ts), so the same id can exist
 * live and in several runs; `tagsByIds` takes the run to look in, live by default.
 */
export interface TagRepository extends TagStore {
  tagsByIds(ids: readonly string[], runId?: string | null): Promise<StoredTag[]>;
}

export interface TagRepositoryOptions {
  /** Clock for `createdAt` of tags and tagged records; one reading per commit. */
  now?: () => Date;
}

const ID_BATCH = 500;

/**
 * Tags, events and the `ttpTagged` stream on MikroORM's connection. Reads and bulk writes use knex
 * (no identity map: these paths move thousands of rows); `em` is called once per operation and
 * should return a fork owned by the caller.
 */
export function createTagRepository(em: () => EntityManager, options: TagRepositoryOptions = {}): TagRepository {
  const now = options.now ?? (() => new Date());
  const knex = () => knexOf(em());

  return {
    commit(events, tags, runId) {
      return commitTagging(em(), events, tags, runId, now());
    },

    async taggedSince(after, limit, runId) {
      const rows = await knex()('tagged_events').where('run_id', toRunKey(runId)).where('seq', '>', after).orderBy('seq', 'asc').limit(limit);
      return rows.map(fromTaggedEventColumns);
    },

    /** In the order of `ids`; unknown ids are left out. */
    async tagsByIds(ids, runId = null) {
      const found = new Map<string, StoredTag>();
      for (const batch of chunks([...new Set(ids)], ID_BATCH)) {
        const rows = await knex()('tags').where('run_id', toRunKey(runId)).whereIn('id', batch);
        for (const row of rows) found.set(row.id, fromTagColumns(row));
      }
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    /**
     * Newest first by (created_at, id). Returns up to `limit + 1` rows, like the other stores'
     * lists, so `toConnection` can tell whether another page follows.
     */
    async listTags(filter, after, limit) {
      const query = applyTagFilter(knex()('tags').select('*'), filter);
      // Row-value comparison: standard SQL that SQLite (≥ 3.15) and PostgreSQL both run as an index range.
      if (after) query.whereRaw('(created_at, id) < (?, ?)', [new Date(after[0]), after[1]]);
      const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit + 1);
      return rows.map(fromTagColumns);
    },

    async countTags(filter) {
      const [row] = await applyTagFilter(knex()('tags').count({ n: '*' }), filter);
      return Number(row?.n ?? 0);
    },

    /** Most frequent first, then by technique and sub-technique (the parent's own row first). */
    async techniqueCounts(filter) {
      const rows = await applyTagFilter(knex()('tags'), filter)
        .select('technique_id', 'sub_technique_id', 'tactic')
        .count({ n: '*' })
        .max({ max_confidence: 'confidence' })
        .groupBy('technique_id', 'sub_technique_id', 'tactic');
      const counts: TechniqueCount[] = rows.map((row) => ({
        techniqueId: String(row.technique_id),
        subTechniqueId: row.sub_technique_id === null ? null : String(row.sub_technique_id),
        tactic: String(row.tactic),
        count: Number(row.n),
        maxConfidence: Number(row.max_confidence),
      }));
      // Sorted here, not in SQL: SQLite and PostgreSQL order NULLs differently.
      return counts.sort(
        (a, b) =>
          b.count - a.count ||
          a.techniqueId.localeCompare(b.techniqueId) ||
          (a.subTechniqueId ?? '').localeCompare(b.subTechniqueId ?? '') ||
          a.tactic.localeCompare(b.tactic),
      );
    },

    /** Live events only (backfill re-tags what was ingested live), event time ≥ `since`, by key. */
    async eventsSince(since, sourceKind, afterKey, limit) {
      const query = knex()('events').where('run_id', toRunKey(null)).where('key', '>', afterKey).where('occurred_at', '>=', since);
      if (sourceKind !== null) query.where('source_kind', sourceKind);
      const rows = await query.orderBy('key', 'asc').limit(limit);
      return rows.map(fromEventColumns);
    },

    async countEventsSince(since, sourceKind) {
      const query = knex()('events').where('run_id', toRunKey(null)).where('occurred_at', '>=', since);
      if (sourceKind !== null) query.where('source_kind', sourceKind);
      const [row] = await query.count({ n: '*' });
      return Number(row?.n ?? 0);
    },

    async countEvents(runId) {
      const [row] = await knex()('events').where('run_id', toRunKey(runId)).count({ n: '*' });
      return Number(row?.n ?? 0);
    },
  };
}
