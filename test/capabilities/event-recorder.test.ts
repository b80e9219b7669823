import { describe, expect, it } from 'vitest';
import { createEventRecorder } from '../../src/capabilities/event-recorder.ts';
import type { EventInput } from '../../src/engine/tagging/event-input.ts';
import type { IngestSummary } from '../../src/engine/tagging/tagging-service.ts';
import type { PluginEvent } from '../../src/plugins/api.ts';

const event = (sourceId: string): PluginEvent => ({ sourceKind: 'agent_action', sourceId, occurredAt: new Date('2024-05-06T07:08:09Z'), attackerId: null, sessionId: null, host: null, payload: { action: 'read_file' } }) as PluginEvent;

const summaryFor = (inputs: EventInput[]): IngestSummary => ({
  results: inputs.map((input, index) => ({ index, accepted: true, sourceKind: input.sourceKind, sourceId: input.sourceId, field: null, error: null, newTagIds: [`tag-of-${input.sourceId}`], newTags: [] })),
  accepted: inputs.length,
  rejected: 0,
  newEvents: inputs.length,
  newTags: inputs.length,
});

describe('event recorder', () => {
  it('gives each event its own tag ids, and events that arrive during an ingest share the next one', async () => {
    const calls: { ids: string[]; runId: string | null }[] = [];
    const recorder = createEventRecorder(async (inputs, runId) => {
      calls.push({ ids: inputs.map((i) => i.sourceId), runId });
      await new Promise((resolve) => setTimeout(resolve, 5));
      return summaryFor(inputs);
    });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => recorder.record(event(id), null)));
    expect(results).toEqual([['tag-of-a'], ['tag-of-b'], ['tag-of-c'], ['tag-of-d']]);
    expect(calls).toEqual([
      { ids: ['a'], runId: null },
      { ids: ['b', 'c', 'd'], runId: null },
    ]);
  });

  it('keeps runs apart: events of different runs never share an ingest', async () => {
    const calls: { ids: string[]; runId: string | null }[] = [];
    const recorder = createEventRecorder(async (inputs, runId) => {
      calls.push({ ids: inputs.map((i) => i.sourceId), runId });
      return summaryFor(inputs);
    });
    await Promise.all([recorder.record(event('live'), null), recorder.record(event('replayed'), 'run-1')]);
    expect(calls).toEqual(expect.arrayContaining([{ ids: ['live'], runId: null }, { ids: ['replayed'], runId: 'run-1' }]));
    expect(calls).toHaveLength(2);
  });

  it('retries a failed batch one event at a time, so only the event the store refuses fails', async () => {
    const recorder = createEventRecorder(async (inputs) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (inputs.some((i) => i.sourceId === 'bad')) throw new Error('refused');
      return summaryFor(inputs);
    });
    const results = await Promise.allSettled(['first', 'ok', 'bad', 'fine'].map((id) => recorder.record(event(id), null)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results[3]).toEqual({ status: 'fulfilled', value: ['tag-of-fine'] });
  });
});
