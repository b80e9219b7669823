import { createHash } from 'node:crypto';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { buildNavigatorLayer, type LayerCount } from '../attack/navigator-layer.ts';
import { toCsv } from './csv.ts';
import type { RunRecord, RunSnapshot } from './run.ts';
import type { RunLogEntry } from './run-log.ts';
import type { RunStepResult } from './run-step-result.ts';

export const RUN_EXPORT_FORMAT = 'gatehouse-run-export/1';

export interface RunExportFile {
  name: string;
  content: Buffer;
}

export interface RunExportManifest {
  format: typeof RUN_EXPORT_FORMAT;
  exportedAt: string;
  versions: { gatehouse: string; apiVersion: string; attackRelease: string };
  run: Pick<RunRecord, 'runId' | 'scenarioId' | 'scenarioName' | 'state' | 'endReason' | 'message' | 'startedBy' | 'params' | 'progress' | 'detailRetained'> & { createdAt: string; startedAt: string | null; endedAt: string | null };
  snapshot: RunSnapshot | null;
  files: { name: string; sha256: string; sizeBytes: number }[];
}

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function jsonLines<T>(rows: AsyncIterable<T> | Iterable<T>, each: (row: T) => unknown): Promise<{ content: Buffer; count: number }> {
  const parts: string[] = [];
  for await (const row of rows) parts.push(JSON.stringify(each(row)));
  return { content: Buffer.from(parts.length ? `${parts.join('\n')}\n` : '', 'utf8'), count: parts.length };
}

/**
 * The files of a run's export bundle (issue #5 §10), `manifest.json` first: it carries the versions,
 * the run summary, the frozen snapshot and the SHA-256 and size of every other file, so a reader can
 * check the bundle without trusting the server. Steps and logs are streamed in from the store.
 */
export async function buildRunExport(input: {
  run: RunRecord;
  steps: AsyncIterable<RunStepResult> | Iterable<RunStepResult>;
  logs: AsyncIterable<RunLogEntry> | Iterable<RunLogEntry>;
  scenarioYaml: string;
  catalogue: AttackCatalogue;
  versions: { gatehouse: string; apiVersion: string; attackRelease: string };
  now: Date;
}): Promise<{ files: RunExportFile[]; manifest: RunExportManifest }> {
  const { run } = input;
  const m = run.metrics;
  const counts = new Map<string, LayerCount>();
  const events = await jsonLines(input.steps, (s) => {
    for (const t of s.tags) {
      const key = `${t.subTechniqueId ?? t.techniqueId}|${t.tactic}`;
      const c = counts.get(key) ?? { techniqueId: t.techniqueId, subTechniqueId: t.subTechniqueId, tactic: t.tactic, count: 0, maxConfidence: 0 };
      c.count += 1;
      c.maxConfidence = Math.max(c.maxConfidence, t.confidence);
      counts.set(key, c);
    }
    return { index: s.index, type: s.type, at: s.at.toISOString(), sourceKind: s.sourceKind, sourceId: s.sourceId, requestId: s.requestId, input: s.input, tags: s.tags, decision: s.decision, reasonCode: s.reasonCode, expect: s.expect, verdict: s.verdict, outcome: s.outcome, error: s.error };
  });
  const logs = await jsonLines(input.logs, (e) => ({ ...e, timestamp: e.timestamp.toISOString() }));
  const perRule = toCsv(
    ['rule_id', 'tags', 'true_positives', 'false_positives', 'false_negatives', 'precision', 'recall'],
    (m?.perRule ?? []).map((r) => [r.ruleId, r.tags, r.truePositives, r.falsePositives, r.falseNegatives, r.precision, r.recall]),
  );
  const perTechnique = toCsv(
    ['technique_id', 'technique_name', 'expected', 'tags', 'true_positives', 'false_positives', 'false_negatives', 'precision', 'recall'],
    (m?.perTechnique ?? []).map((t) => [t.techniqueId, input.catalogue.technique(t.techniqueId)?.name ?? null, t.expected, t.tags, t.truePositives, t.falsePositives, t.falseNegatives, t.precision, t.recall]),
  );
  const layer = buildNavigatorLayer([...counts.values()], input.catalogue, { name: `${run.scenarioName} — ${run.runId}`, description: `Tags of replay run ${run.runId} (scenario ${run.scenarioId}, ${run.state.toLowerCase()})` });
  const body: RunExportFile[] = [
    { name: 'metrics.json', content: json(m ?? { metrics: null, note: 'metrics were off for this run (metrics_enabled: false)' }) },
    { name: 'per_rule.csv', content: Buffer.from(perRule, 'utf8') },
    { name: 'per_technique.csv', content: Buffer.from(perTechnique, 'utf8') },
    { name: 'events.jsonl', content: events.content },
    { name: 'logs.jsonl', content: logs.content },
    { name: 'navigator_layer.json', content: json(layer) },
    { name: 'scenario.resolved.yaml', content: Buffer.from(input.scenarioYaml, 'utf8') },
  ];
  const manifest: RunExportManifest = {
    format: RUN_EXPORT_FORMAT,
    exportedAt: input.now.toISOString(),
    versions: input.versions,
    run: {
      runId: run.runId,
      scenarioId: run.scenarioId,
      scenarioName: run.scenarioName,
      state: run.state,
      endReason: run.endReason,
      message: run.message,
      startedBy: run.startedBy,
      params: run.params,
      progress: run.progress,
      detailRetained: run.detailRetained,
      createdAt: run.createdAt.toISOString(),
      startedAt: run.startedAt?.toISOString() ?? null,
      endedAt: run.endedAt?.toISOString() ?? null,
    },
    snapshot: run.snapshot,
    files: body.map((f) => ({ name: f.name, sha256: sha256(f.content), sizeBytes: f.content.length })),
  };
  return { files: [{ name: 'manifest.json', content: json(manifest) }, ...body], manifest };
}
