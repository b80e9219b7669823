import type { LifterDefinition, PluginEvent, SourceKindDefinition } from '../../plugins/api.ts';
import { applyGate, requiredPrecision } from './corpus-gate.ts';
import type { CorpusReport, RuleEvaluation, TechniqueEvaluation } from './corpus-report.ts';
import { CorpusError, type CorpusRow } from './corpus-row.ts';
import { EventInputError, parseEventInput } from './event-input.ts';
import type { Rule } from './rule.ts';
import { createRuleEngine } from './rule-engine.ts';
import type { EffectiveRuleState } from './rule-state.ts';
import type { Tag } from './tag.ts';
import { BUILT_IN_SOURCE_KINDS } from './source-kinds.ts';

/** When a row without `occurred_at` happened: fixed, so a corpus gives the same result on any day. */
export const CORPUS_EVENT_TIME = '2026-01-01T00:00:00.000Z';
const EXAMPLE_ROWS = 10;

export interface EvaluateCorpusOptions {
  rules: readonly Rule[];
  rows: readonly CorpusRow[];
  /** Lifters to run the pack's lifter rules with; none by default, so lifter rules do not run. */
  lifters?: readonly LifterDefinition<unknown>[];
  /** Source kinds rows may use (default: the built-in ones). */
  sourceKinds?: readonly SourceKindDefinition[];
  onProgress?(done: number, total: number): void;
}

const ENABLED: EffectiveRuleState = { state: 'enabled', confidenceMax: null };
const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const rowRef = (row: CorpusRow) => `${row.file}:${row.line}`;
/** Event ids allow a fixed set of characters; a file name may not, so odd characters become `_`. */
const safeId = (text: string) => text.replace(/[^\p{L}\p{N}._:/@#+=-]/gu, '_').slice(-200);

/** Turns rows into events (a session row also yields its commands), reporting every bad row at once. */
function toEvents(rows: readonly CorpusRow[], kinds: ReadonlyMap<string, SourceKindDefinition>): PluginEvent[][] {
  const problems: string[] = [];
  const events = rows.map((row) => {
    try {
      const input = { sourceKind: row.source_kind, sourceId: `corpus:${safeId(row.file)}:${row.line}`, occurredAt: row.occurred_at ?? null, payload: row.payload };
      return parseEventInput(input, kinds, new Date(CORPUS_EVENT_TIME));
    } catch (err) {
      if (!(err instanceof EventInputError)) throw err;
      problems.push(`${rowRef(row)}: ${err.message.replace(/^'sourceKind'/, "'source_kind'")}`);
      return [];
    }
  });
  if (problems.length > 0) throw new CorpusError(problems);
  return events;
}

/**
 * Runs a labelled corpus through a rule pack and measures it (issue "rules lint / rules test"). The
 * engine is the production one, with every rule enabled and no confidence floor, so each rule is
 * measured at its own confidence rather than at whatever an operator has set. Definitions:
 * - a rule firing on a row is a true positive when the row expects that rule id, or expects a
 *   technique id or sub-technique id the rule emits; otherwise it is a false positive;
 * - a rule's recall is over the rows that expect its id (null when none do);
 * - a technique's recall is over the rows that expect it: a row is a hit when any tag on it has that
 *   technique id or sub-technique id.
 * The report is plain JSON (no Dates, no Maps) so the CLI can write it as is.
 */
export async function evaluateCorpus(options: EvaluateCorpusOptions): Promise<CorpusReport> {
  const kinds = new Map((options.sourceKinds ?? BUILT_IN_SOURCE_KINDS).map((k) => [k.kind, k]));
  const eventsByRow = toEvents(options.rows, kinds);
  const engine = createRuleEngine({ rules: options.rules, lifters: options.lifters ?? [], states: { effective: () => ENABLED }, confidenceFloor: () => 0 });

  const results = new Map<string, RuleEvaluation>();
  const emitted = new Map<string, Set<string>>();
  for (const rule of options.rules) {
    emitted.set(rule.ruleId, new Set(rule.emits.flatMap((e) => (e.subTechniqueId ? [e.techniqueId, e.subTechniqueId] : [e.techniqueId]))));
    const confidence = Math.max(...rule.emits.map((e) => e.confidence));
    results.set(rule.ruleId, {
      ruleId: rule.ruleId,
      name: rule.name,
      sourcePath: rule.sourcePath,
      appliesTo: [...rule.appliesTo],
      matchType: rule.match.type,
      owner: engine.owners.get(rule.ruleId) ?? null,
      confidence,
      requiredPrecision: requiredPrecision(confidence),
      fired: 0,
      truePositives: 0,
      falsePositives: 0,
      precision: null,
      expectedRows: 0,
      hits: 0,
      recall: null,
      falsePositiveRows: [],
      missedRows: [],
    });
  }
  const techniques = new Map<string, TechniqueEvaluation>();
  const warnings = new Set<string>();
  let positiveRows = 0;

  for (const [i, row] of options.rows.entries()) {
    const tags: Tag[] = [];
    for (const event of eventsByRow[i] ?? []) tags.push(...(await engine.evaluate(event)));
    const firedIds = new Set(tags.map((t) => t.ruleId));
    const expectedIds = new Set(row.expected_rule_ids);
    const expectedTechniques = new Set(row.expected_techniques);
    const positive = expectedIds.size > 0 || expectedTechniques.size > 0;
    if (positive) positiveRows += 1;
    // A label is free text, but the two words corpora use for the class are checked against what the
    // row expects: a "malicious" row that expects nothing would silently count as a negative.
    const label = row.label.trim().toLowerCase();
    if ((label === 'benign' && positive) || (label === 'malicious' && !positive)) {
      warnings.add(`${rowRef(row)}: labelled ${JSON.stringify(row.label)} but ${positive ? 'expects techniques or rules' : 'expects nothing'}`);
    }

    for (const ruleId of firedIds) {
      const result = results.get(ruleId) as RuleEvaluation;
      result.fired += 1;
      const correct = expectedIds.has(ruleId) || [...(emitted.get(ruleId) ?? [])].some((id) => expectedTechniques.has(id));
      if (correct) result.truePositives += 1;
      else {
        result.falsePositives += 1;
        if (result.falsePositiveRows.length < EXAMPLE_ROWS) result.falsePositiveRows.push(rowRef(row));
      }
    }
    for (const ruleId of expectedIds) {
      const result = results.get(ruleId);
      if (!result) {
        warnings.add(`${rowRef(row)}: expects rule ${ruleId}, which is not in the rule pack`);
        continue;
      }
      result.expectedRows += 1;
      if (firedIds.has(ruleId)) result.hits += 1;
      else if (result.missedRows.length < EXAMPLE_ROWS) result.missedRows.push(rowRef(row));
    }
    for (const techniqueId of expectedTechniques) {
      const entry = techniques.get(techniqueId) ?? { techniqueId, expectedRows: 0, truePositives: 0, falseNegatives: 0, recall: 0, missedRows: [] };
      techniques.set(techniqueId, entry);
      entry.expectedRows += 1;
      if (tags.some((t) => t.techniqueId === techniqueId || t.subTechniqueId === techniqueId)) entry.truePositives += 1;
      else {
        entry.falseNegatives += 1;
        if (entry.missedRows.length < EXAMPLE_ROWS) entry.missedRows.push(rowRef(row));
      }
    }
    options.onProgress?.(i + 1, options.rows.length);
  }

  const rules = [...results.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId, 'en'));
  for (const r of rules) {
    r.precision = ratio(r.truePositives, r.fired);
    r.recall = ratio(r.hits, r.expectedRows);
  }
  const techniqueList = [...techniques.values()].sort((a, b) => a.techniqueId.localeCompare(b.techniqueId, 'en'));
  for (const t of techniqueList) t.recall = t.truePositives / t.expectedRows;

  return {
    corpus: { rows: options.rows.length, positiveRows, negativeRows: options.rows.length - positiveRows, files: [...new Set(options.rows.map((r) => r.file))] },
    rules,
    techniques: techniqueList,
    problems: [...engine.problems],
    warnings: [...warnings],
    gate: applyGate(rules),
  };
}
