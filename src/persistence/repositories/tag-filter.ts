import type { Knex } from '@mikro-orm/knex';
import type { TagFilter } from '../../engine/tagging/tag-store.ts';
import { toRunKey } from '../entities/run-key.ts';

const SUB_TECHNIQUE = /^(T\d{4})\.\d{3}$/;

/**
 * Narrows a query on `tags` to a `TagFilter`. Promises:
 * - the run is always part of the filter (null: live rows only), so a replay run's tags never
 *   appear in live queries and vice versa;
 * - a parent technique id (`T1003`) matches `technique_id`, which every tag of its sub-techniques
 *   also carries; a sub-technique id (`T1003.008`) matches `sub_technique_id`, plus its parent on
 *   `technique_id` so the technique index serves it too;
 * - `since`/`until` bound the event time (`occurred_at`), half-open: since ≤ t < until;
 * - `minConfidence` is inclusive.
 */
export function applyTagFilter(query: Knex.QueryBuilder, filter: TagFilter): Knex.QueryBuilder {
  query.where('run_id', toRunKey(filter.runId ?? null));
  const technique = filter.techniqueId ?? null;
  if (technique !== null) {
    const parent = SUB_TECHNIQUE.exec(technique)?.[1];
    if (parent !== undefined) query.where('technique_id', parent).where('sub_technique_id', technique);
    else query.where('technique_id', technique);
  }
  const equal: [keyof TagFilter, string][] = [
    ['tactic', 'tactic'],
    ['ruleId', 'rule_id'],
    ['sourceKind', 'source_kind'],
    ['sourceId', 'source_id'],
    ['attackerId', 'attacker_id'],
    ['sessionId', 'session_id'],
  ];
  for (const [field, column] of equal) {
    const value = filter[field];
    if (typeof value === 'string') query.where(column, value);
  }
  if (filter.since) query.where('occurred_at', '>=', filter.since);
  if (filter.until) query.where('occurred_at', '<', filter.until);
  if (typeof filter.minConfidence === 'number') query.where('confidence', '>=', filter.minConfidence);
  return query;
}
