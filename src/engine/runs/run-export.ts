import { createHash } from 'node:crypto';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { buildNavigatorLayer, type LayerCount } from '../attack/navigator-layer.ts';
import { toCsv } from './csv.ts';
import type { RunEndReason, RunParams, RunProgress, RunRecord, RunSnapshot, RunState } from './run.ts';
import type { RunLogEntry } from './run-log.ts';
import type { RunMetrics } from './run-metrics.ts';
import type { RunStepResult, StepTag } from './run-step-result.ts';

/** The bundle format; a reader checks this before anything else and refuses a major it does not know. */
export const RUN_EXPORT_FORMAT = 'gatehouse-run-export/1';

export interface RunExportFile {
  name: string;
  content: Buffer;
}

export interface RunExportVersions {
  gatehouse: string;
  apiVersion: string;
  attackRelease: string;
}

export interface RunExportManifest {
  format: typeof RUN_EXPORT_FORMAT;
  exportedAt: string;
  versions: RunExportVersions;
  run: {
    runId: string;
    scenarioId: string;
    scenarioName: string;
    state: RunState;
    endReason: RunEndReason | null;
    message: string | null;
    createdAt: string;
    startedAt: string | null;
    endedAt: string | null;
    startedBy: string | null;
    params: RunParams;
    progress: Omit<RunProgress, 'virtualTime'> & { virtualTime: string | null };
  };
  /** The governance snapshot and rule, policy and scenario hashes the run froze, verbatim (null if it never started). */
  snapshot: RunSnapshot | null;
  /** False when retention removed the run's detail: then events.jsonl and logs.jsonl are empty. */
  detailRetained: boolean;
  /** Every other file of the bundle, in bundle order. */
  files: { name: string; sha256: string; sizeBytes: number }[];
}

export interface RunExportInput {
  run: RunRecord;
  steps: AsyncIterable<RunStepResult> | Iterable<RunStepResult>;
  logs: AsyncIterable<RunLogEntry> | Iterable<RunLogEntry>;
  /** The scenario as resolved for the run (overlay applied), written as `scenario.resolved.yaml`. */
  scenarioYaml: string;
  catalogue: AttackCatalogue;
  versions: RunExportVersions;
  now: Date;
}

const PER_RULE_HEADER = ['rule_id', 'tags', 'true_positives', 'false_positives', 'false_negatives', 'precision', 'recall'];
const PER_TECHNIQUE_HEADER = ['technique_id', 'technique_name', 'tags', 'expected', 'true_positives', 'false_positives', 'false_negatives', 'precision', 'recall'];

const jsonFile = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
const jsonLines = (rows: readonly unknown[]): Buffer => Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
const sha256Hex = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/** One `events.jsonl` line: the step, its tags and decision, its labels (`expect`), verdict and outcome. */
const eventLine = (s: RunStepResult) => ({
  index: s.index,
  type: s.type,
  at: s.at.toISOString(),
  sourceKind: s.sourceKind,
  sourceId: s.sourceId,
  requestId: s.requestId,
  input: s.input,
  tags: s.tags,
  decision: s.decision,
  reasonCode: s.reasonCode,
  expect: s.expect,
  verdict: s.verdict,
  outcome: s.outcome,
  error: s.error,
});

/** Counts tags per (technique or sub-technique, tactic); a sub-technique keeps its own id (DESIGN §10). */
function countTags(counts: Map<string, LayerCount>, tags: readonly StepTag[]): void {
  for (const t of tags) {
    const key = `${t.subTechniqueId ?? t.techniqueId}|${t.tactic}`;
    const c = counts.get(key) ?? { techniqueId: t.techniqueId, subTechniqueId: t.subTechniqueId, tactic: t.tactic, count: 0, maxConfidence: 0 };
    c.count += 1;
    c.maxConfidence = Math.max(c.maxConfidence, t.confidence);
    counts.set(key, c);
  }
}

function metricsFile(run: RunRecord): { metrics: RunMetrics | null; note: string | null } {
  if (run.metrics) return { metrics: run.metrics, note: null };
  const note = run.params.metricsEnabled ? `the run has no metrics (state ${run.state})` : 'metrics were off for this run (metrics_enabled: false)';
  return { metrics: null, note };
}

function tables(metrics: RunMetrics | null, catalogue: AttackCatalogue): { perRule: string; perTechnique: string } {
  const perRule = toCsv(PER_RULE_HEADER, (metrics?.perRule ?? []).map((r) => [r.ruleId, r.tags, r.truePositives, r.falsePositives, r.falseNegatives, r.precision, r.recall]));
  const perTechnique = toCsv(
    PER_TECHNIQUE_HEADER,
    (metrics?.perTechnique ?? []).map((t) => [t.techniqueId, catalogue.technique(t.techniqueId)?.name ?? null, t.tags, t.expected, t.truePositives, t.falsePositives, t.falseNegatives, t.precision, t.recall]),
  );
  return { perRule, perTechnique };
}

function runSummary(run: RunRecord): RunExportManifest['run'] {
  return {
    runId: run.runId,
    scenarioId: run.scenarioId,
    scenarioName: run.scenarioName,
    state: run.state,
    endReason: run.endReason,
    message: run.message,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    endedAt: run.endedAt?.toISOString() ?? null,
    startedBy: run.startedBy,
    params: run.params,
    progress: { ...run.progress, virtualTime: run.progress.virtualTime?.toISOString() ?? null },
  };
}

/**
 * The files of a run's export bundle (issue #5 §10), `manifest.json` first. The manifest carries the
 * versions, the run summary, the frozen snapshot and the SHA-256 and size of every other file, so the
 * bundle can be checked without trusting the server that produced it. Steps and logs may be streamed
 * from the store page by page; they are written in index and seq order whatever order they arrive in.
 */
export async function buildRunExport(input: RunExportInput): Promise<{ files: RunExportFile[]; manifest: RunExportManifest }> {
  const { run, catalogue } = input;
  const counts = new Map<string, LayerCount>();
  const steps: RunStepResult[] = [];
  for await (const step of input.steps) {
    countTags(counts, step.tags);
    steps.push(step);
  }
  steps.sort((a, b) => a.index - b.index);
  const logs: RunLogEntry[] = [];
  for await (const entry of input.logs) logs.push(entry);
  logs.sort((a, b) => a.seq - b.seq);

  const { perRule, perTechnique } = tables(run.metrics, catalogue);
  const layer = buildNavigatorLayer([...counts.values()], catalogue, {
    name: `${run.scenarioName} (${run.runId})`,
    description: `Techniques tagged during replay run ${run.runId} of scenario ${run.scenarioId} (${run.state}), scored by tag count`,
  });
  const body: RunExportFile[] = [
    { name: 'metrics.json', content: jsonFile(metricsFile(run)) },
    { name: 'per_rule.csv', content: Buffer.from(perRule, 'utf8') },
    { name: 'per_technique.csv', content: Buffer.from(perTechnique, 'utf8') },
    { name: 'events.jsonl', content: jsonLines(steps.map(eventLine)) },
    { name: 'logs.jsonl', content: jsonLines(logs.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() }))) },
    { name: 'navigator_layer.json', content: jsonFile(layer) },
    { name: 'scenario.resolved.yaml', content: Buffer.from(input.scenarioYaml, 'utf8') },
  ];
  const manifest: RunExportManifest = {
    format: RUN_EXPORT_FORMAT,
    exportedAt: input.now.toISOString(),
    versions: { ...input.versions },
    run: runSummary(run),
    snapshot: run.snapshot,
    detailRetained: run.detailRetained,
    files: body.map((f) => ({ name: f.name, sha256: sha256Hex(f.content), sizeBytes: f.content.length })),
  };
  return { files: [{ name: 'manifest.json', content: jsonFile(manifest) }, ...body], manifest };
}
