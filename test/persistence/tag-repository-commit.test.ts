import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/persistence/database.ts';
import { createTagRepository, type TagRepository } from '../../src/persistence/repositories/tag-repository.ts';
import { makeEvent, makeTag, openTestDatabase, steppingClock } from './tagging-fixtures.ts';

describe('tag repository: commit', () => {
  let db: Database;
  let close: () => Promise<void>;
  let store: TagRepository;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
    store = createTagRepository(() => db.fork(), { now: steppingClock() });
  });
  afterEach(() => close());

  it('stores the same events and tags once when they are committed twice', async () => {
    const events = [makeEvent('e1'), makeEvent('e2')];
    const tags = events.map((e) => makeTag(e));

    const first = await store.commit(events, tags, null);
    expect(first.newEventCount).toBe(2);
    expect([...first.newTagIds].sort()).toEqual(tags.map((t) => t.id).sort());
    expect(first.tagged).toHaveLength(2);

    const second = await store.commit(events, tags, null);
    expect(second).toEqual({ newEventCount: 0, newTagIds: new Set(), tagged: [] });
    expect(await store.countEvents(null)).toBe(2);
    expect(await store.countTags({})).toBe(2);
    expect(await store.taggedSince(0, 100, null)).toHaveLength(2);
  });

  it('numbers tagged records in input order with a seq that keeps growing across commits', async () => {
    const a = [makeEvent('a1'), makeEvent('a2'), makeEvent('a3')];
    const b = [makeEvent('b1'), makeEvent('b2')];
    const first = await store.commit(a, [...a].reverse().map((e) => makeTag(e)), null);
    const second = await store.commit(b, b.map((e) => makeTag(e)), null);

    expect(first.tagged.map((r) => r.sourceId)).toEqual(['a1', 'a2', 'a3']);
    expect(second.tagged.map((r) => r.sourceId)).toEqual(['b1', 'b2']);
    const seqs = [...first.tagged, ...second.tagged].map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(5);
  });

  it('records only the new tags of an event, and nothing for an event without new tags', async () => {
    const e1 = makeEvent('e1');
    const e2 = makeEvent('e2');
    const old = makeTag(e1);
    await store.commit([e1], [old], null);

    const fresh = makeTag(e1, { ruleId: 'R2002', techniqueId: 'T1059', subTechniqueId: null, tactic: 'TA0002' });
    const result = await store.commit([e1, e2], [old, fresh], null);
    expect(result.newEventCount).toBe(1);
    expect(result.newTagIds).toEqual(new Set([fresh.id]));
    expect(result.tagged).toHaveLength(1);
    expect(result.tagged[0]).toMatchObject({ sourceKind: 'command', sourceId: 'e1', tagIds: [fresh.id], techniquesAdded: ['T1059'], runId: null });
  });

  it('lists each technique a record added once, the sub-technique where there is one', async () => {
    const e = makeEvent('e1');
    const tags = [
      makeTag(e, { ruleId: 'R1', techniqueId: 'T1003', subTechniqueId: 'T1003.008' }),
      makeTag(e, { ruleId: 'R2', techniqueId: 'T1003', subTechniqueId: 'T1003.008' }),
      makeTag(e, { ruleId: 'R3', techniqueId: 'T1059', subTechniqueId: null }),
    ];
    const { tagged } = await store.commit([e], tags, null);
    expect(tagged[0]?.techniquesAdded).toEqual(['T1003.008', 'T1059']);
    expect(tagged[0]?.tagIds).toEqual(tags.map((t) => t.id));
  });

  it('stores tags of events outside the commit without appending a tagged record', async () => {
    const e = makeEvent('e1');
    await store.commit([e], [], null);
    const retag = makeTag(e, { ruleVersion: 2 });
    const result = await store.commit([], [retag], null);
    expect(result.newTagIds).toEqual(new Set([retag.id]));
    expect(result.tagged).toEqual([]);
    expect(await store.taggedSince(0, 10, null)).toEqual([]);
  });

  it('replays tagged records after a seq, in order, a page at a time', async () => {
    for (let batch = 0; batch < 3; batch++) {
      const events = [0, 1].map((i) => makeEvent(`e${batch}-${i}`));
      await store.commit(events, events.map((e) => makeTag(e)), null);
    }
    const all = await store.taggedSince(0, 100, null);
    expect(all.map((r) => r.sourceId)).toEqual(['e0-0', 'e0-1', 'e1-0', 'e1-1', 'e2-0', 'e2-1']);

    const pages: string[] = [];
    let after = 0;
    for (;;) {
      const page = await store.taggedSince(after, 4, null);
      if (page.length === 0) break;
      pages.push(...page.map((r) => r.sourceId));
      after = page.at(-1)?.seq ?? after;
    }
    expect(pages).toEqual(all.map((r) => r.sourceId));
    expect(await store.taggedSince(all[3]?.seq ?? 0, 100, null)).toEqual(all.slice(4));
  });

  it('keeps a replay run apart from live data, even for the same events and tag ids', async () => {
    const live = [makeEvent('e1'), makeEvent('e2')];
    await store.commit(live, live.map((e) => makeTag(e)), null);

    const runEvents = live.map((e) => ({ ...e, runId: 'run-1' }));
    const runTags = runEvents.map((e) => makeTag(e));
    const run = await store.commit(runEvents, runTags, 'run-1');
    expect(run.newEventCount).toBe(2);
    expect(run.newTagIds.size).toBe(2);
    expect(run.tagged.map((r) => r.runId)).toEqual(['run-1', 'run-1']);

    expect(await store.countEvents(null)).toBe(2);
    expect(await store.countEvents('run-1')).toBe(2);
    expect(await store.countEvents('run-2')).toBe(0);
    expect((await store.listTags({}, null, 10)).every((t) => t.runId === null)).toBe(true);
    expect((await store.listTags({ runId: 'run-1' }, null, 10)).map((t) => t.runId)).toEqual(['run-1', 'run-1']);
    expect(await store.taggedSince(0, 10, null)).toHaveLength(2);
    expect((await store.taggedSince(0, 10, 'run-1')).map((r) => r.runId)).toEqual(['run-1', 'run-1']);
    expect((await store.techniqueCounts({}))[0]?.count).toBe(2);
    expect(await store.tagsByIds(runTags.map((t) => t.id), 'run-1')).toHaveLength(2);
    expect((await store.tagsByIds(runTags.map((t) => t.id))).map((t) => t.runId)).toEqual([null, null]);

    const again = await store.commit(runEvents, runTags, 'run-1');
    expect(again.newTagIds.size).toBe(0);
  });

  it('refuses an event whose run is not the run being committed', async () => {
    await expect(store.commit([makeEvent('e1', { runId: 'run-1' })], [], null)).rejects.toThrow(
      'commit for run null got event command/e1 of run "run-1"',
    );
  });

  it('refuses the empty string as a run id, which stands for live rows in storage', async () => {
    await expect(store.commit([], [], '')).rejects.toThrow("run id must be null (live) or a non-empty string, got ''");
  });

  it('writes nothing when any part of the commit fails', async () => {
    const e = makeEvent('e1');
    // Fails on the tags insert, after the events insert ran in the same transaction.
    const broken = { ...makeTag(e), tactic: null as unknown as string };
    await expect(store.commit([e], [makeTag(e, { ruleId: 'R9' }), broken], null)).rejects.toThrow(/NOT NULL constraint failed: tags\.tactic|null value in column "tactic" of relation "tags" violates not-null constraint/);
    expect(await store.countEvents(null)).toBe(0);
    expect(await store.countTags({})).toBe(0);
    expect(await store.taggedSince(0, 10, null)).toEqual([]);
  });

  it('commits more rows than fit in one insert statement, keeping input order', async () => {
    const events = Array.from({ length: 2345 }, (_, i) => makeEvent(`bulk-${i}`));
    const tags = events.flatMap((e) => [makeTag(e), makeTag(e, { ruleId: 'R2' })]);
    const result = await store.commit(events, tags, null);
    expect(result.newEventCount).toBe(2345);
    expect(result.newTagIds.size).toBe(4690);
    expect(result.tagged.map((r) => r.sourceId)).toEqual(events.map((e) => e.sourceId));
    expect(result.tagged.every((r, i, all) => i === 0 || r.seq > (all[i - 1]?.seq ?? 0))).toBe(true);
    expect(await store.countTags({})).toBe(4690);
  });
});
