/**
 * The tamper-evident audit log (DESIGN §7, issue #4 §6): append-only, every entry hash-chained to the
 * previous one (SHA-256 over canonical JSON, or HMAC-SHA256 when `GATEHOUSE_AUDIT_KEY` is set). No
 * audit write, no action: an append that fails throws, and the caller denies.
 */
export const AUDIT_KINDS = [
  'request_received',
  'decision',
  'action_completed',
  'action_failed',
  'approval_requested',
  'approval_decided',
  'policy_reloaded',
  'rule_state_changed',
  'governance_changed',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** Who caused an entry: the token, and how the call arrived. */
export interface AuditOrigin {
  tokenId: string | null;
  tokenName: string | null;
  transport: 'http' | 'ws' | 'rest' | 'cli' | 'system';
}

export interface NewAuditEntry {
  kind: AuditKind;
  requestId: string | null;
  agent: string | null;
  role: string | null;
  specId: string | null;
  action: string | null;
  /** APPROVED, DENIED, PENDING_APPROVAL or null. */
  decision: string | null;
  /** Denial code or outcome, e.g. `path_outside_root`. */
  reasonCode: string | null;
  /** Anything else worth keeping (JSON); canonicalised before hashing. */
  details: Record<string, unknown>;
  origin: AuditOrigin;
  dryRun: boolean;
  runId: string | null;
}

export interface AuditEntry extends NewAuditEntry {
  /** Position in the chain, from 1. */
  seq: number;
  id: string;
  at: Date;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  agent?: string | null;
  role?: string | null;
  specId?: string | null;
  action?: string | null;
  decision?: string | null;
  requestId?: string | null;
  kind?: AuditKind | null;
  since?: Date | null;
  until?: Date | null;
  runId?: string | null;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  /** Seq of the first entry whose hash or link does not verify, or null. */
  firstBrokenAt: number | null;
  reason: string | null;
}

export interface AuditLog {
  /** Appends one entry after the current head (serialised); throws if it cannot be stored. */
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  verify(): Promise<ChainVerification>;
  /** Newest first; `after` is the seq of the last entry already seen. */
  list(filter: AuditFilter, after: number | null, limit: number): Promise<AuditEntry[]>;
  count(filter: AuditFilter): Promise<number>;
  /** Entries with seq greater than `seq`, oldest first (stream replay). */
  entriesAfter(seq: number, limit: number): Promise<AuditEntry[]>;
}
