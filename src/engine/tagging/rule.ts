import type { RuleEmit } from '../../plugins/api.ts';

/** A rule after loading and validation: what the engine and lifters run. */
export interface Rule {
  ruleId: string;
  ruleVersion: number;
  name: string;
  description: string;
  appliesTo: string[];
  match: PatternMatch | LifterMatch;
  emits: RuleEmit[];
  evidenceFields: string[];
  /** Path relative to the rules directory, e.g. `command/discovery/R1101-uname.yaml`. */
  sourcePath: string;
  /** SHA-256 of the file's bytes; part of the rule-pack hash a run freezes. */
  sha256: string;
}

export interface PatternMatch {
  type: 'pattern';
  field: string;
  pattern: string;
}

export interface LifterMatch {
  type: 'lifter';
  /** `lifter:<name>` */
  kind: string;
  /** The rest of the `match` object, checked by the owning lifter's `parseParams`. */
  params: Record<string, unknown>;
}

/** Who runs a rule: the engine itself, or a lifter (by id). */
export type RuleOwner = 'engine' | string;
