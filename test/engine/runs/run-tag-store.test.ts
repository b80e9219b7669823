import { describe, expect, it } from 'vitest';
import type { RunRows, RunWriter } from '../../../src/engine/runs/run-writer.ts';
import { createRunTagStore } from '../../../src/engine/runs/run-tag-store.ts';
import type { TagStore } from '../../../src/engine/tagging/tag-store.ts';
import { makeEvent, makeTag } from '../../persistence/tagging-fixtures.ts';

function recordingWriter() {
  const added: RunRows[] = [];
  const writer: RunWriter = { add: async (rows) => void added.push(rows), failure: null };
  return { added, writer };
}

const reads = { countEvents: async () => 7 } as unknown as TagStore;

describe('run tag store', () => {
  it('reports as new, and hands to the writer, only what the run did not commit before', async () => {
    const { added, writer } = recordingWriter();
    const store = createRunTagStore({ runId: 'run_1', writer, reads });
    const e1 = makeEvent('e1', { runId: 'run_1' });
    const e2 = makeEvent('e2', { runId: 'run_1' });
    const t1 = makeTag(e1);
    const first = await store.commit([e1], [t1, t1], 'run_1');
    expect(first).toEqual({ newEventCount: 1, newTagIds: new Set([t1.id]), tagged: [] });

    const t2 = makeTag(e2);
    const second = await store.commit([e1, e2], [t1, t2], 'run_1');
    expect(second).toEqual({ newEventCount: 1, newTagIds: new Set([t2.id]), tagged: [] });
    expect(added.map((r) => [r.events?.map((e) => e.sourceId), r.tags?.map((t) => t.id)])).toEqual([
      [['e1'], [t1.id]],
      [['e2'], [t2.id]],
    ]);

    expect(await store.commit([e1, e2], [t1, t2], 'run_1')).toEqual({ newEventCount: 0, newTagIds: new Set(), tagged: [] });
    expect(added).toHaveLength(2);
  });

  it('refuses a commit for another run or an event of another run', async () => {
    const store = createRunTagStore({ runId: 'run_1', writer: recordingWriter().writer, reads });
    await expect(store.commit([], [], null)).rejects.toThrow('the tag store of run run_1 got a commit for run null');
    await expect(store.commit([makeEvent('e1')], [], 'run_1')).rejects.toThrow('commit for run run_1 got event command/e1 of run null');
  });

  it('reads through the store it was given', async () => {
    const store = createRunTagStore({ runId: 'run_1', writer: recordingWriter().writer, reads });
    expect(await store.countEvents('run_1')).toBe(7);
  });
});
