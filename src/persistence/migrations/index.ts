import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001ApiTokens } from './migration-0001-api-tokens.ts';
import { Migration0002Tagging } from './migration-0002-tagging.ts';

/** Every migration, in order. Names are permanent: they are recorded in the database. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration0001ApiTokens', class: Migration0001ApiTokens },
  { name: 'Migration0002Tagging', class: Migration0002Tagging },
];
