import type { GateResult } from './corpus-gate.ts';
import type { RuleProblem } from './rule-engine.ts';

/**
 * What `evaluateCorpus` returns (corpus-evaluation.ts has the definitions of TP, FP and recall). Plain
 * JSON: no Dates, no Maps, so `gatehouse rules test --out` writes it as is and it can be diffed.
 */
export interface RuleEvaluation {
  ruleId: string;
  name: string;
  sourcePath: string;
  appliesTo: string[];
  matchType: 'pattern' | 'lifter';
  /** `engine`, a lifter id, or null when the rule cannot run here (e.g. no lifter owns its kind). */
  owner: string | null;
  /** The rule's highest emit confidence. */
  confidence: number;
  /** The precision the gate requires of it, or null when it is not gated. */
  requiredPrecision: number | null;
  /** Rows it fired on (= truePositives + falsePositives). */
  fired: number;
  truePositives: number;
  falsePositives: number;
  precision: number | null;
  /** Rows whose `expected_rule_ids` name it, and how many of those it fired on. */
  expectedRows: number;
  hits: number;
  recall: number | null;
  /** `file:line` of the first few false positives and misses. */
  falsePositiveRows: string[];
  missedRows: string[];
}

export interface TechniqueEvaluation {
  techniqueId: string;
  expectedRows: number;
  truePositives: number;
  falseNegatives: number;
  recall: number;
  missedRows: string[];
}

export interface CorpusReport {
  corpus: { rows: number; positiveRows: number; negativeRows: number; files: string[] };
  rules: RuleEvaluation[];
  techniques: TechniqueEvaluation[];
  /** Rules loaded but not running (e.g. orphaned lifter kinds), as the engine reports them. */
  problems: RuleProblem[];
  /** Things in the corpus that cannot be measured, e.g. an expected rule id that is not in the pack. */
  warnings: string[];
  gate: GateResult;
}
