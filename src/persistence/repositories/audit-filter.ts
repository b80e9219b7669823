import type { Knex } from '@mikro-orm/knex';
import type { AuditFilter } from '../../engine/gateway/audit.ts';
import { toRunKey } from '../entities/run-key.ts';

const EQUAL: [keyof AuditFilter, string][] = [
  ['agent', 'agent'],
  ['role', 'role'],
  ['specId', 'spec_id'],
  ['action', 'action'],
  ['decision', 'decision'],
  ['requestId', 'request_id'],
  ['kind', 'kind'],
];

/**
 * Narrows a query on `audit_events` to an `AuditFilter`. Promises:
 * - the run is always part of the filter (null or absent: live entries only), so a replay run's
 *   entries never appear in live queries and vice versa;
 * - a string field matches exactly; null or absent means "any";
 * - `since`/`until` bound the entry time (`at`), half-open: since ≤ at < until.
 */
export function applyAuditFilter(query: Knex.QueryBuilder, filter: AuditFilter): Knex.QueryBuilder {
  query.where('run_id', toRunKey(filter.runId ?? null));
  for (const [field, column] of EQUAL) {
    const value = filter[field];
    if (typeof value === 'string') query.where(column, value);
  }
  if (filter.since) query.where('at', '>=', filter.since);
  if (filter.until) query.where('at', '<', filter.until);
  return query;
}
