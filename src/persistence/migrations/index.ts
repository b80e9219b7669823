import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001ApiTokens } from './migration-0001-api-tokens.ts';
import { Migration0002Tagging } from './migration-0002-tagging.ts';
import { Migration0003Audit } from './migration-0003-audit.ts';
import { Migration0004GatewayRequests } from './migration-0004-gateway-requests.ts';
import { Migration0005Operator } from './migration-0005-operator.ts';
import { Migration0006RunLeases } from './migration-0006-run-leases.ts';

/**
 * Every migration, in order. Names are permanent: they are recorded in the database.
 *
 * The same migrations serve SQLite and PostgreSQL (issue 6 §1); the knex schema builder emits each
 * dialect's DDL, and this is the one place that says how the column kinds land:
 * - `increments` is `integer primary key autoincrement` on SQLite and `serial primary key` on
 *   PostgreSQL; both hand out keys in insert order, which the `tagged_events` cursor relies on;
 * - `datetime` is SQLite `datetime` holding epoch milliseconds and PostgreSQL `timestamptz`;
 * - `json` is text on SQLite and `json` on PostgreSQL (kept as written, key order included, and
 *   validated on write); `boolean` is 0/1 and a real boolean; `bigInteger` is INT8, read back as a
 *   number on both (see database.ts);
 * - the only raw SQL (migration 0002's `create index if not exists`) is accepted by both.
 */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration0001ApiTokens', class: Migration0001ApiTokens },
  { name: 'Migration0002Tagging', class: Migration0002Tagging },
  { name: 'Migration0003Audit', class: Migration0003Audit },
  { name: 'Migration0004GatewayRequests', class: Migration0004GatewayRequests },
  { name: 'Migration0005Operator', class: Migration0005Operator },
  { name: 'Migration0006RunLeases', class: Migration0006RunLeases },
];
