/**
 * The gateway policy (DESIGN §7, issue #4 §1) as the decision pipeline reads it. Loaded from `policy/`
 * (YAML, or the older JSON shapes) by load-policy.ts; a policy that fails to load never replaces the
 * last good one.
 */
export const SPEC_STATUSES = ['draft', 'approved', 'active', 'suspended', 'retired'] as const;
export type SpecStatus = (typeof SPEC_STATUSES)[number];

/** Statuses under which a spec authorises work. */
export const USABLE_SPEC_STATUSES: readonly SpecStatus[] = ['approved', 'active'];

export interface Spec {
  id: string;
  title: string;
  status: SpecStatus;
  /** Agent roles allowed to work under this spec. */
  roles: string[];
  /** Action kinds the spec allows (canonical names, e.g. write_file). */
  actionTypes: string[];
  /** Paths (relative to the project root, or absolute inside it) the spec covers; a directory covers its subtree. */
  paths: string[];
}

export interface Jurisdiction {
  role: string;
  paths: string[];
  actionTypes: string[];
}

/** Requests matching a rule wait for an operator's decision (issue #4 §8). */
export interface ApprovalRule {
  id: string;
  /** Action kinds it applies to; empty means any. */
  actions: string[];
  /** Path globs (`*` within a component, `**` across components) relative to the project root; empty means any. */
  paths: string[];
  description: string;
}

export interface Policy {
  specs: ReadonlyMap<string, Spec>;
  jurisdictions: ReadonlyMap<string, Jurisdiction>;
  /** Paths nothing may touch (nor their parents be deleted), relative to the project root or absolute. */
  protectedPaths: string[];
  approvalRules: ApprovalRule[];
  /** SHA-256 over the canonical JSON of everything above. */
  hash: string;
  /** When this policy was loaded (the real load time). */
  loadedAt: Date;
  /** Files it came from, relative to the policy folder. */
  files: string[];
}
