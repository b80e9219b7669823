import type { GovernancePatch, GovernanceRevision } from './governance.ts';

/** A stored revision: what differs from the configured defaults, cumulatively, plus the change itself. */
export interface StoredGovernanceRevision extends GovernanceRevision {
  /** Every field set by some revision so far; the effective settings are the defaults with these applied. */
  overrides: GovernancePatch;
}

/** Governance revisions on the database (implemented in src/persistence/). */
export interface GovernanceStore {
  latest(): Promise<StoredGovernanceRevision | null>;
  /** Inserts revision `r.revision`; false when that revision exists already (someone else won the race). */
  insert(r: StoredGovernanceRevision): Promise<boolean>;
  /** Newest first, revisions below `before` (null: from the newest). */
  list(before: number | null, limit: number): Promise<StoredGovernanceRevision[]>;
  count(): Promise<number>;
}
