/**
 * The rule-pack precision gate (issue "rules lint / rules test"): a rule's own confidence is a claim
 * about how often it is right, so the corpus holds it to that claim. A rule whose highest emit
 * confidence is ≥ 0.85 must be right ≥ 95 % of the times it fires; 0.6 up to (not including) 0.85
 * must be right ≥ 80 %; below 0.6 the rule is a weak signal and is not gated. A rule that never fired
 * has no precision and is not a precision failure. Separately, every engine rule (a pattern rule) must
 * have at least one true positive in the corpus: a rule nobody has seen fire correctly is untested.
 */
export const PRECISION_TIERS = [
  { minConfidence: 0.85, minPrecision: 0.95 },
  { minConfidence: 0.6, minPrecision: 0.8 },
] as const;

/** What the gate needs to know about one rule's results. */
export interface GatedRule {
  ruleId: string;
  matchType: 'pattern' | 'lifter';
  /** The rule's highest emit confidence. */
  confidence: number;
  truePositives: number;
  falsePositives: number;
  precision: number | null;
  /** `file:line` of some rows it fired on wrongly. */
  falsePositiveRows: string[];
}

export interface GateFailure {
  ruleId: string;
  reason: 'precision' | 'no_positive';
  message: string;
}

export interface GateResult {
  passed: boolean;
  failures: GateFailure[];
}

/** The precision a rule with this confidence must reach, or null when it is not gated. */
export function requiredPrecision(confidence: number): number | null {
  return PRECISION_TIERS.find((tier) => confidence >= tier.minConfidence)?.minPrecision ?? null;
}

// Precision is a ratio of small integers; allow for the last bit of floating-point rounding so a rule
// exactly at its threshold (19 of 20 at 0.95) passes.
const EPSILON = 1e-9;

function precisionFailure(rule: GatedRule): GateFailure | null {
  const required = requiredPrecision(rule.confidence);
  if (required === null || rule.precision === null || rule.precision + EPSILON >= required) return null;
  const examples = rule.falsePositiveRows.length > 0 ? `; false positives at ${rule.falsePositiveRows.join(', ')}` : '';
  return {
    ruleId: rule.ruleId,
    reason: 'precision',
    message: `${rule.ruleId} (confidence ${rule.confidence}): precision ${rule.precision.toFixed(3)} (${rule.truePositives} TP, ${rule.falsePositives} FP) is below the required ${required}${examples}`,
  };
}

/** Applies both checks to every rule; failures are listed precision first, each group in rule order. */
export function applyGate(rules: readonly GatedRule[]): GateResult {
  const failures: GateFailure[] = [];
  for (const rule of rules) {
    const failure = precisionFailure(rule);
    if (failure) failures.push(failure);
  }
  for (const rule of rules) {
    if (rule.matchType !== 'pattern' || rule.truePositives > 0) continue;
    failures.push({
      ruleId: rule.ruleId,
      reason: 'no_positive',
      message: `${rule.ruleId}: no corpus row is a true positive for it (every engine rule needs at least one positive row)`,
    });
  }
  return { passed: failures.length === 0, failures };
}
