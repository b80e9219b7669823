import { EntitySchema } from '@mikro-orm/core';
import type { Role } from '../../engine/auth/roles.ts';

/** Row shape of `api_tokens`. Agent roles are stored as a JSON array in text for portability. */
export interface ApiTokenRow {
  id: string;
  name: string;
  role: Role;
  agent: string | null;
  agentRoles: string[];
  hint: string;
  secretHash: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const ApiTokenEntity = new EntitySchema<ApiTokenRow>({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    name: { type: 'string', length: 100 },
    role: { type: 'string', length: 16 },
    agent: { type: 'string', length: 100, nullable: true },
    agentRoles: { type: 'json' },
    hint: { type: 'string', length: 16 },
    secretHash: { type: 'string', length: 64, unique: true },
    createdAt: { type: 'datetime' },
    createdBy: { type: 'string', length: 36, nullable: true },
    lastUsedAt: { type: 'datetime', nullable: true },
    revokedAt: { type: 'datetime', nullable: true },
  },
});
