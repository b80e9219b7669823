/** A tag: one ATT&CK technique attributed to one source event by one rule version. */
export interface Tag {
  /** UUIDv5, see tag-id.ts. */
  id: string;
  ruleId: string;
  ruleVersion: number;
  tactic: string;
  techniqueId: string;
  subTechniqueId: string | null;
  confidence: number;
  evidence: Record<string, unknown>;
  sourceKind: string;
  sourceId: string;
  attackerId: string | null;
  sessionId: string | null;
  /** Event time of the source event. */
  occurredAt: Date;
}
