import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunLogEntry } from '../../src/engine/runs/run-log.ts';
import type { RunStepResult } from '../../src/engine/runs/run-step-result.ts';
import type { RunStore } from '../../src/engine/runs/run-store.ts';
import type { Database } from '../../src/persistence/database.ts';
import { createRunRepository } from '../../src/persistence/repositories/run-repository.ts';
import { createTagRepository, type TagRepository } from '../../src/persistence/repositories/tag-repository.ts';
import { makeEvent, makeTag, openTestDatabase, T0 } from './tagging-fixtures.ts';

const RUN = 'run_20260101_000000_abcdef';

const step = (index: number, sourceId: string): RunStepResult => ({
  index,
  type: 'event',
  at: T0,
  sourceKind: 'command',
  sourceId,
  requestId: null,
  input: { sourceId },
  tags: [],
  decision: null,
  reasonCode: null,
  expect: null,
  verdict: 'UNLABELLED',
  outcome: 'logged',
  error: null,
});

const entry = (seq: number): RunLogEntry => ({ runId: RUN, seq, timestamp: T0, level: 'INFO', eventType: 'tag', message: `entry ${seq}`, payload: { seq } });

describe('run repository: batches', () => {
  let db: Database;
  let close: () => Promise<void>;
  let runs: RunStore;
  let tags: TagRepository;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
    runs = createRunRepository(() => db.fork());
    tags = createTagRepository(() => db.fork());
  });
  afterEach(() => close());

  it('stores a run batch under the run id, readable through both repositories', async () => {
    const e1 = makeEvent('e1', { runId: RUN });
    const e2 = makeEvent('e2', { runId: RUN });
    const t1 = makeTag(e1);
    await runs.appendBatch(RUN, { events: [e1, e2], tags: [t1], steps: [step(0, 'e1'), step(1, 'e2')], logs: [entry(1), entry(2)] });

    expect(await tags.countEvents(RUN)).toBe(2);
    expect(await tags.countEvents(null)).toBe(0);
    expect((await tags.tagsByIds([t1.id], RUN)).map((t) => [t.id, t.runId])).toEqual([[t1.id, RUN]]);
    expect((await runs.steps(RUN, -1, 10)).map((s) => [s.index, s.sourceId, s.at.toISOString()])).toEqual([
      [0, 'e1', T0.toISOString()],
      [1, 'e2', T0.toISOString()],
    ]);
    expect(await runs.logs(RUN, {}, 0, 10)).toEqual([entry(1), entry(2)]);
  });

  it('stores nothing of a batch whose events or tags the run already stored', async () => {
    const e1 = makeEvent('e1', { runId: RUN });
    const t1 = makeTag(e1);
    await runs.appendBatch(RUN, { events: [e1], tags: [t1], steps: [step(0, 'e1')], logs: [entry(1)] });

    await expect(runs.appendBatch(RUN, { events: [], tags: [t1], steps: [step(1, 'e1')], logs: [entry(2)] })).rejects.toThrow(`run ${RUN}: the store refused a batch holding rows it already had under the run`);
    const e2 = makeEvent('e2', { runId: RUN });
    await expect(runs.appendBatch(RUN, { events: [e2, e1], tags: [], steps: [step(1, 'e2')], logs: [] })).rejects.toThrow(`run ${RUN}: the store refused a batch holding rows it already had under the run`);
    expect(await tags.countEvents(RUN)).toBe(1);
    expect((await runs.steps(RUN, -1, 10)).map((s) => s.index)).toEqual([0]);
    expect((await runs.logs(RUN, {}, 0, 10)).map((e) => e.seq)).toEqual([1]);
  });

  it("stores text with quotes, backslashes and non-ASCII exactly as given", async () => {
    const text = `it's a 'quoted' \\ "string" ; -- drop table tags; ünïcødé ✓`;
    const e1 = makeEvent('e1', { runId: RUN, payload: { command_text: text } });
    const t1 = { ...makeTag(e1), evidence: { match: text } };
    const s0 = { ...step(0, 'e1'), input: { text } };
    const log = { ...entry(1), message: text, payload: { text } };
    await runs.appendBatch(RUN, { events: [e1], tags: [t1], steps: [s0], logs: [log] });

    expect((await tags.tagsByIds([t1.id], RUN))[0]?.evidence).toEqual({ match: text });
    expect((await runs.steps(RUN, -1, 10))[0]?.input).toEqual({ text });
    expect(await runs.logs(RUN, {}, 0, 10)).toEqual([log]);
    expect(await tags.countTags({})).toBe(0);
  });

  it('stores a step record and a log payload as the JSON text JSON.stringify makes, through the batch and the single appends', async () => {
    const awkward = { text: `it's "x" \\ \u0001 ünï ✓`, tiny: 0.30000000000000004, big: 12345678901234567890, nested: [{ a: null, b: [1.5e-7, -0] }] };
    const s0 = { ...step(0, 'e1'), input: awkward };
    const s1 = { ...step(1, 'e2'), input: awkward };
    const log1 = { ...entry(1), payload: awkward };
    const log2 = { ...entry(2), payload: awkward };
    await runs.appendBatch(RUN, { events: [], tags: [], steps: [s0], logs: [log1] });
    await runs.appendSteps(RUN, [s1]);
    await runs.appendLogs([log2]);

    const knex = db.fork().getConnection().getKnex();
    const records = await knex('run_steps').where('run_id', RUN).orderBy('step_index').select('record');
    const payloads = await knex('run_logs').where('run_id', RUN).orderBy('seq').select('payload');
    expect(records.map((r: { record: unknown }) => r.record)).toEqual([JSON.stringify(s0), JSON.stringify(s1)]);
    expect(payloads.map((r: { payload: unknown }) => r.payload)).toEqual([JSON.stringify(awkward), JSON.stringify(awkward)]);
    expect((await runs.steps(RUN, -1, 10)).map((s) => s.input)).toEqual([JSON.parse(JSON.stringify(awkward)), JSON.parse(JSON.stringify(awkward))]);
  });

  it('refuses an event of another run', async () => {
    await expect(runs.appendBatch(RUN, { events: [makeEvent('e1')], tags: [], steps: [], logs: [] })).rejects.toThrow(`run ${RUN}: a batch holds an event of another run`);
  });
});
