import type { Role } from './roles.ts';

/** An API token as the rest of the system sees it. The secret itself is never stored. */
export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  agent: string | null;
  agentRoles: string[];
  /** First characters of the secret, shown in listings to tell tokens apart. */
  hint: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiToken {
  id: string;
  name: string;
  role: Role;
  agent: string | null;
  agentRoles: string[];
  hint: string;
  secretHash: string;
  createdAt: Date;
  createdBy: string | null;
}

export interface ApiTokenFilter {
  role?: Role | null;
  includeRevoked?: boolean | null;
}

/** Storage for API tokens; implemented in `src/persistence/`. */
export interface ApiTokenStore {
  insert(token: NewApiToken): Promise<ApiToken>;
  findBySecretHash(secretHash: string): Promise<ApiToken | null>;
  findById(id: string): Promise<ApiToken | null>;
  /** Newest first; `after` is the [createdAt ISO, id] key of the last row already seen. */
  list(filter: ApiTokenFilter, after: [string, string] | null, limit: number): Promise<ApiToken[]>;
  count(filter: ApiTokenFilter): Promise<number>;
  /** Marks the token revoked; returns the updated token, or null if there is none with that id. */
  revoke(id: string, at: Date): Promise<ApiToken | null>;
  /** The ids among `ids` of tokens that exist and are not revoked (one query). */
  activeIds(ids: readonly string[]): Promise<Set<string>>;
  /** Sets `lastUsedAt` of every token in `ids` to `at` (one statement). */
  touchMany(ids: readonly string[], at: Date): Promise<void>;
  countActiveByRole(): Promise<Record<Role, number>>;
}
