import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { toCsv } from '../../../src/engine/runs/csv.ts';
import type { RunRecord } from '../../../src/engine/runs/run.ts';
import { buildRunExport, RUN_EXPORT_FORMAT, type RunExportInput } from '../../../src/engine/runs/run-export.ts';
import type { RunLogEntry } from '../../../src/engine/runs/run-log.ts';
import { createRunMetrics } from '../../../src/engine/runs/run-metrics.ts';
import { judgeStep, type RunStepResult, type StepTag } from '../../../src/engine/runs/run-step-result.ts';
import type { Expectation } from '../../../src/engine/scenarios/scenario.ts';
import { SETTINGS, tag } from './run-fixtures.ts';

const catalogue = loadAttackCatalogue();
const T0 = Date.parse('2026-02-03T04:05:06Z');
const ODD_RULE = 'R"odd, rule';

function step(index: number, tags: StepTag[], expect: Expectation | null, extra: Partial<RunStepResult> = {}): RunStepResult {
  const judged = judgeStep({ tags, decision: extra.decision ?? null, error: extra.error ?? null }, expect);
  return { index, type: 'event', at: new Date(T0 + index * 1000), sourceKind: 'command', sourceId: `s-${index}`, requestId: null, input: { command_text: `cmd ${index}` }, tags, decision: null, reasonCode: null, expect, error: null, ...judged, ...extra };
}

const STEPS: RunStepResult[] = [
  step(0, [tag('R1001', 'T1003', 'T1003.008')], { techniques: ['T1003.008'], decision: null }),
  step(1, [tag(ODD_RULE, 'T1082', null, 'TA0007')], { techniques: [], decision: null }),
  step(2, [], null, { type: 'request', sourceKind: 'gateway', requestId: 'req_20260203_040508_001', decision: 'DENIED', reasonCode: 'blocked_tactic' }),
  step(3, [tag('R1001', 'T1003', 'T1003.008'), tag('R1002', 'T1003', null)], { techniques: ['T1003'], decision: null }),
];

const LOGS: RunLogEntry[] = [
  { runId: 'run_1', seq: 1, timestamp: new Date(T0), level: 'INFO', eventType: 'run_started', message: 'run started', payload: {} },
  { runId: 'run_1', seq: 2, timestamp: new Date(T0 + 4000), level: 'INFO', eventType: 'run_completed', message: 'run completed', payload: { steps: 4 } },
];

function metricsOf(steps: readonly RunStepResult[]) {
  const m = createRunMetrics({ labelsComplete: false, ruleEmits: new Map([['R1001', [{ techniqueId: 'T1003', subTechniqueId: 'T1003.008' }]]]) });
  for (const s of steps) m.add(s);
  return m.summary(0);
}

function runRecord(over: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: 'run_1',
    scenarioId: 'linux-intrusion',
    scenarioName: 'Linux intrusion',
    state: 'COMPLETED',
    endReason: null,
    message: null,
    overrides: {},
    params: { speed: 'max', ticksTotal: 2, eventsPerTick: 2, metricsEnabled: true, loggingEnabled: true },
    snapshot: {
      governance: { revision: 3, preset: 'strict', settings: SETTINGS, hash: 'b'.repeat(64) },
      rulePackHash: 'c'.repeat(64),
      policyHash: 'd'.repeat(64),
      scenarioHash: 'e'.repeat(64),
      policySetHash: 'f'.repeat(64),
      components: ['tagger', 'gateway'],
      ruleStates: [{ ruleId: 'R1002', state: 'clipped', confidenceMax: 0.5 }],
    },
    progress: { progress: 1, ticksCompleted: 2, ticksTotal: 2, eventsCompleted: 4, eventsTotal: 4, eventsPerSecond: 100, etaSeconds: null, virtualTime: new Date(T0 + 3000) },
    metrics: metricsOf(STEPS),
    components: [],
    createdAt: new Date(T0 - 2000),
    startedAt: new Date(T0 - 1000),
    endedAt: new Date(T0 + 5000),
    startedBy: 'admin',
    idempotencyKey: null,
    detailRetained: true,
    owner: null,
    ...over,
  };
}

function input(over: Partial<RunExportInput> = {}): RunExportInput {
  return {
    run: runRecord(),
    steps: STEPS,
    logs: LOGS,
    scenarioYaml: 'id: linux-intrusion\nname: Linux intrusion\n',
    catalogue,
    versions: { gatehouse: '0.5.0', apiVersion: '1.2', attackRelease: '18.1' },
    now: new Date('2026-02-04T00:00:00Z'),
    ...over,
  };
}

async function* streamed<T>(rows: readonly T[]): AsyncGenerator<T> {
  for (const row of rows) yield row;
}

const text = (files: { name: string; content: Buffer }[], name: string): string => {
  const file = files.find((f) => f.name === name);
  if (!file) throw new Error(`no ${name} in the bundle`);
  return file.content.toString('utf8');
};

describe('run export bundle', () => {
  it('puts the manifest first and lists every other file with the SHA-256 and size of its contents', async () => {
    const { files, manifest } = await buildRunExport(input());
    expect(files.map((f) => f.name)).toEqual(['manifest.json', 'metrics.json', 'per_rule.csv', 'per_technique.csv', 'events.jsonl', 'logs.jsonl', 'navigator_layer.json', 'scenario.resolved.yaml']);
    expect(JSON.parse(text(files, 'manifest.json'))).toEqual(manifest);
    expect(manifest.files.map((f) => f.name)).toEqual(files.slice(1).map((f) => f.name));
    for (const entry of manifest.files) {
      const content = files.find((f) => f.name === entry.name)?.content ?? Buffer.alloc(0);
      expect(entry.sha256).toBe(createHash('sha256').update(content).digest('hex'));
      expect(entry.sizeBytes).toBe(content.length);
    }
  });

  it('records the format, versions, run summary, the frozen snapshot verbatim and whether detail was retained', async () => {
    const run = runRecord();
    const { manifest } = await buildRunExport(input({ run }));
    expect(manifest.format).toBe(RUN_EXPORT_FORMAT);
    expect(manifest.exportedAt).toBe('2026-02-04T00:00:00.000Z');
    expect(manifest.versions).toEqual({ gatehouse: '0.5.0', apiVersion: '1.2', attackRelease: '18.1' });
    expect(manifest.snapshot).toEqual(run.snapshot);
    expect(manifest.detailRetained).toBe(true);
    expect(manifest.run).toMatchObject({ runId: 'run_1', scenarioId: 'linux-intrusion', state: 'COMPLETED', startedBy: 'admin', createdAt: '2026-02-03T04:05:04.000Z', endedAt: '2026-02-03T04:05:11.000Z', params: run.params });
    expect(manifest.run.progress.virtualTime).toBe('2026-02-03T04:05:09.000Z');
  });

  it('quotes a rule id holding a comma and a quote in per_rule.csv, with a header row and CRLF line ends', async () => {
    const { files } = await buildRunExport(input());
    const lines = text(files, 'per_rule.csv').split('\r\n');
    expect(lines[0]).toBe('rule_id,tags,true_positives,false_positives,false_negatives,precision,recall');
    expect(lines).toContain('"R""odd, rule",1,0,1,0,0,');
    expect(lines).toContain('R1001,2,2,0,0,1,1');
    expect(lines.at(-1)).toBe('');
    expect(text(files, 'per_rule.csv')).not.toMatch(/[^\r]\n/);
  });

  it('writes per_technique.csv from every per-technique metric, with the catalogue name', async () => {
    const { files } = await buildRunExport(input());
    const lines = text(files, 'per_technique.csv').split('\r\n');
    expect(lines[0]).toBe('technique_id,technique_name,tags,expected,true_positives,false_positives,false_negatives,precision,recall');
    expect(lines).toContain('T1003.008,/etc/passwd and /etc/shadow,2,1,1,0,0,1,1');
    expect(lines).toContain('T1003,OS Credential Dumping,1,1,1,0,0,1,1');
  });

  it('writes one events.jsonl line per step in index order, whatever order the steps arrive in', async () => {
    const shuffled = [STEPS[2], STEPS[0], STEPS[3], STEPS[1]] as RunStepResult[];
    const { files } = await buildRunExport(input({ steps: streamed(shuffled) }));
    const lines = text(files, 'events.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(STEPS.length);
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3]);
    expect(Object.keys(lines[0] ?? {})).toEqual(['index', 'type', 'at', 'sourceKind', 'sourceId', 'requestId', 'input', 'tags', 'decision', 'reasonCode', 'expect', 'verdict', 'outcome', 'error']);
    expect(lines[2]).toMatchObject({ type: 'request', at: '2026-02-03T04:05:08.000Z', requestId: 'req_20260203_040508_001', decision: 'DENIED', reasonCode: 'blocked_tactic', expect: null, verdict: 'UNLABELLED', outcome: 'blocked' });
    expect(lines[1]).toMatchObject({ expect: { techniques: [], decision: null }, verdict: 'FALSE_POSITIVE', outcome: 'alerted' });
  });

  it('writes logs.jsonl in seq order with ISO timestamps', async () => {
    const { files } = await buildRunExport(input({ logs: streamed([LOGS[1], LOGS[0]] as RunLogEntry[]) }));
    const lines = text(files, 'logs.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l) as RunLogEntry);
    expect(lines.map((l) => [l.seq, l.eventType, l.timestamp])).toEqual([
      [1, 'run_started', '2026-02-03T04:05:06.000Z'],
      [2, 'run_completed', '2026-02-03T04:05:10.000Z'],
    ]);
  });

  it('exports a run whose metrics were off: null metrics with a note and header-only tables', async () => {
    const run = runRecord({ metrics: null, params: { ...runRecord().params, metricsEnabled: false } });
    const { files } = await buildRunExport(input({ run }));
    expect(JSON.parse(text(files, 'metrics.json'))).toEqual({ metrics: null, note: 'metrics were off for this run (metrics_enabled: false)' });
    expect(text(files, 'per_rule.csv')).toBe('rule_id,tags,true_positives,false_positives,false_negatives,precision,recall\r\n');
    expect(text(files, 'per_technique.csv').split('\r\n')).toEqual(['technique_id,technique_name,tags,expected,true_positives,false_positives,false_negatives,precision,recall', '']);
    expect(text(files, 'events.jsonl').trimEnd().split('\n')).toHaveLength(STEPS.length);
  });

  it('keeps sub-techniques in the Navigator layer, named after the scenario and the run', async () => {
    const { files } = await buildRunExport(input());
    const layer = JSON.parse(text(files, 'navigator_layer.json')) as { name: string; description: string; techniques: { techniqueID: string; tactic: string; score: number; showSubtechniques: boolean }[] };
    expect(layer.name).toBe('Linux intrusion (run_1)');
    expect(layer.description).toContain('linux-intrusion');
    const byId = new Map(layer.techniques.map((t) => [t.techniqueID, t]));
    expect(byId.get('T1003.008')).toMatchObject({ tactic: 'credential-access', score: 2 });
    expect(byId.get('T1003')).toMatchObject({ tactic: 'credential-access', score: 1, showSubtechniques: true });
    expect(byId.get('T1082')).toMatchObject({ tactic: 'discovery', score: 1 });
  });

  it('ships the resolved scenario as given', async () => {
    const { files } = await buildRunExport(input());
    expect(text(files, 'scenario.resolved.yaml')).toBe('id: linux-intrusion\nname: Linux intrusion\n');
  });
});

describe('toCsv', () => {
  it('quotes fields with commas, quotes, CR or LF, leaves nulls empty and writes numbers as plain decimals', () => {
    const csv = toCsv(['a', 'b'], [
      ['x,y', 'say "hi"'],
      ['line\nbreak', 'cr\rhere'],
      [null, undefined],
      [1e-7, 1 / 4],
      [1e21, true],
    ]);
    expect(csv).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak","cr\rhere"\r\n,\r\n0.0000001,0.25\r\n1000000000000000000000,true\r\n');
  });
});
