import { describe, expect, it } from 'vitest';
import type { PluginEvent } from '../../../src/plugins/api.ts';
import type { RuleEngine } from '../../../src/engine/tagging/rule-engine.ts';
import { BUILT_IN_SOURCE_KINDS } from '../../../src/engine/tagging/source-kinds.ts';
import type { Tag } from '../../../src/engine/tagging/tag.ts';
import type { CommitResult, EventRecord, TagStore } from '../../../src/engine/tagging/tag-store.ts';
import { createTaggingService, type TtpTaggedMessage } from '../../../src/engine/tagging/tagging-service.ts';

const kinds = new Map(BUILT_IN_SOURCE_KINDS.map((k) => [k.kind, k]));
const command = (sourceId: string) => ({ sourceKind: 'command', sourceId, payload: { command_text: 'id' } });

/** One tag per event, recording the order the engine saw events in. */
function recordingEngine(seen: string[]): RuleEngine {
  return {
    async evaluate(event: PluginEvent): Promise<Tag[]> {
      seen.push(event.sourceId);
      await Promise.resolve();
      return [{ id: `tag-${event.sourceId}`, ruleId: 'R1', ruleVersion: 1, tactic: 'TA0007', techniqueId: 'T1033', subTechniqueId: null, confidence: 0.9, evidence: {}, sourceKind: event.sourceKind, sourceId: event.sourceId, attackerId: null, sessionId: null, occurredAt: event.occurredAt }];
    },
    problems: [],
    owners: new Map(),
    fires: new Map(),
    lifterFailures: new Map(),
  };
}

/** A store whose commits finish only when the test says so, one `release()` per commit. */
function gatedStore() {
  const committed: string[][] = [];
  const waiting: (() => void)[] = [];
  let seq = 0;
  const store = {
    async commit(events: readonly EventRecord[], tags: readonly Tag[]): Promise<CommitResult> {
      await new Promise<void>((resolve) => waiting.push(resolve));
      committed.push(events.map((e) => e.sourceId));
      return {
        newEventCount: events.length,
        newTagIds: new Set(tags.map((t) => t.id)),
        tagged: events.map((e) => ({ seq: ++seq, sourceKind: e.sourceKind, sourceId: e.sourceId, attackerId: null, sessionId: null, tagIds: [`tag-${e.sourceId}`], techniquesAdded: ['T1033'], createdAt: new Date(0), runId: null })),
      };
    },
  } as unknown as TagStore;
  const release = async () => {
    while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    waiting.shift()?.();
  };
  return { store, committed, release, waiting: () => waiting.length };
}

describe('tagging service: overlapping ingest calls', () => {
  it('tags the next batch while the previous one commits, and commits and publishes in call order', async () => {
    const seen: string[] = [];
    const published: TtpTaggedMessage[] = [];
    const { store, committed, release, waiting } = gatedStore();
    const tagging = createTaggingService({ store, engine: () => recordingEngine(seen), kinds: () => kinds, publish: (m) => published.push(m) });

    const first = tagging.ingest([command('a1'), command('a2')]);
    const second = tagging.ingest([command('b1'), command('b2')]);
    // The first commit is held open: the second batch is tagged meanwhile but not committed.
    while (seen.length < 4) await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(waiting()).toBe(1);
    expect(committed).toEqual([]);

    await release();
    const a = await first;
    expect(committed).toEqual([['a1', 'a2']]);
    expect(a.results.map((r) => r.newTagIds)).toEqual([['tag-a1'], ['tag-a2']]);
    await release();
    const b = await second;
    expect(committed).toEqual([['a1', 'a2'], ['b1', 'b2']]);
    expect(b.newTags).toBe(2);
    expect(published.map((m) => [m.seq, m.sourceId])).toEqual([[1, 'a1'], [2, 'a2'], [3, 'b1'], [4, 'b2']]);
  });

  it('a small call made while a large one is still being validated is tagged and committed after it', async () => {
    const seen: string[] = [];
    const committed: string[] = [];
    const store = {
      async commit(events: readonly EventRecord[]): Promise<CommitResult> {
        committed.push(events[0]?.sourceId ?? '');
        return { newEventCount: events.length, newTagIds: new Set(), tagged: [] };
      },
    } as unknown as TagStore;
    const tagging = createTaggingService({ store, engine: () => recordingEngine(seen), kinds: () => kinds, publish: () => {} });
    const large = tagging.ingest(Array.from({ length: 1000 }, (_, i) => command(`large-${i}`)));
    const small = tagging.ingest([command('small-0')]);
    await Promise.all([large, small]);
    expect(seen.at(-1)).toBe('small-0');
    expect(committed).toEqual(['large-0', 'small-0']);
  });

  it('a failed commit fails only its own call; the next call still commits', async () => {
    let calls = 0;
    const store = {
      async commit(events: readonly EventRecord[]): Promise<CommitResult> {
        calls += 1;
        if (calls === 1) throw new Error('disk full');
        return { newEventCount: events.length, newTagIds: new Set(), tagged: [] };
      },
    } as unknown as TagStore;
    const tagging = createTaggingService({ store, engine: () => recordingEngine([]), kinds: () => kinds, publish: () => {} });
    const first = tagging.ingest([command('x1')]);
    const second = tagging.ingest([command('x2')]);
    await expect(first).rejects.toThrow('disk full');
    await expect(second).resolves.toMatchObject({ accepted: 1, newEvents: 1 });
  });

  it('turns the event loop while tagging a large batch, so timers and I/O callbacks are not held for the whole batch', async () => {
    const { store, release } = gatedStore();
    const seen: string[] = [];
    const tagging = createTaggingService({ store, engine: () => recordingEngine(seen), kinds: () => kinds, publish: () => {} });
    // A chain of immediates samples how far tagging got each time the event loop turned.
    const samples: number[] = [];
    let sampling = true;
    const sample = () => {
      samples.push(seen.length);
      if (sampling) setImmediate(sample);
    };
    setImmediate(sample);
    const done = tagging.ingest(Array.from({ length: 1000 }, (_, i) => command(`e${i}`)));
    await release();
    await done;
    sampling = false;
    expect(samples.filter((n) => n > 0 && n < 1000).length).toBeGreaterThanOrEqual(5);
  });
});
