import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001ApiTokens } from './migration-0001-api-tokens.ts';
import { Migration0002Tagging } from './migration-0002-tagging.ts';
import { Migration0003Audit } from './migration-0003-audit.ts';
import { Migration0004GatewayRequests } from './migration-0004-gateway-requests.ts';
import { Migration0005Operator } from './migration-0005-operator.ts';
import { Migration0006RunLeases } from './migration-0006-run-leases.ts';

/** Every migration, in order. Names are permanent: they are recorded in the database. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration0001ApiTokens', class: Migration0001ApiTokens },
  { name: 'Migration0002Tagging', class: Migration0002Tagging },
  { name: 'Migration0003Audit', class: Migration0003Audit },
  { name: 'Migration0004GatewayRequests', class: Migration0004GatewayRequests },
  { name: 'Migration0005Operator', class: Migration0005Operator },
  { name: 'Migration0006RunLeases', class: Migration0006RunLeases },
];
