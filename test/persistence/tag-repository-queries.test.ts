import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TagFilter } from '../../src/engine/tagging/tag-store.ts';
import type { Tag } from '../../src/engine/tagging/tag.ts';
import type { Database } from '../../src/persistence/database.ts';
import { createTagRepository, type TagRepository } from '../../src/persistence/repositories/tag-repository.ts';
import { at, makeEvent, makeTag, openTestDatabase, steppingClock } from './tagging-fixtures.ts';

describe('tag repository: queries', () => {
  let db: Database;
  let close: () => Promise<void>;
  let store: TagRepository;
  let tags: Record<string, Tag>;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
    store = createTagRepository(() => db.fork(), { now: steppingClock() });
    const e1 = makeEvent('e1', { occurredAt: at(0) });
    const e2 = makeEvent('e2', { sourceKind: 'auth_attempt', attackerId: 'attacker-2', sessionId: null, occurredAt: at(10_000) });
    const e3 = makeEvent('e3', { attackerId: null, sessionId: 'session-3', occurredAt: at(20_000) });
    tags = {
      shadow: makeTag(e1, { ruleId: 'R1001', techniqueId: 'T1003', subTechniqueId: 'T1003.008', confidence: 0.9 }),
      dump: makeTag(e1, { ruleId: 'R1002', techniqueId: 'T1003', subTechniqueId: null, confidence: 0.5 }),
      brute: makeTag(e2, { ruleId: 'R3001', tactic: 'TA0006', techniqueId: 'T1110', subTechniqueId: 'T1110.001', confidence: 0.7 }),
      shell: makeTag(e3, { ruleId: 'R2001', tactic: 'TA0002', techniqueId: 'T1059', subTechniqueId: 'T1059.004', confidence: 0.4 }),
    };
    await store.commit([e1], [tags.shadow!, tags.dump!], null);
    await store.commit([e2], [tags.brute!], null);
    await store.commit([e3], [tags.shell!], null);
  });
  afterEach(() => close());

  const ids = async (filter: TagFilter) => (await store.listTags(filter, null, 50)).map((t) => t.id).sort();
  const named = (...names: string[]) => names.map((n) => tags[n]?.id).sort();

  it.each<[string, TagFilter, string[]]>([
    ['a parent technique matches its sub-techniques too', { techniqueId: 'T1003' }, ['shadow', 'dump']],
    ['a sub-technique matches only itself', { techniqueId: 'T1003.008' }, ['shadow']],
    ['a technique nobody tagged matches nothing', { techniqueId: 'T1003.001' }, []],
    ['tactic', { tactic: 'TA0002' }, ['shell']],
    ['rule id', { ruleId: 'R1002' }, ['dump']],
    ['source kind', { sourceKind: 'auth_attempt' }, ['brute']],
    ['source id', { sourceId: 'e1' }, ['shadow', 'dump']],
    ['attacker id', { attackerId: 'attacker-2' }, ['brute']],
    ['session id', { sessionId: 'session-3' }, ['shell']],
    ['since is inclusive (event time)', { since: at(10_000) }, ['brute', 'shell']],
    ['until is exclusive (event time)', { until: at(10_000) }, ['shadow', 'dump']],
    ['minimum confidence is inclusive', { minConfidence: 0.7 }, ['shadow', 'brute']],
    ['filters combine', { techniqueId: 'T1003', minConfidence: 0.6, sourceKind: 'command' }, ['shadow']],
    ['null fields do not filter', { techniqueId: null, tactic: null, since: null, minConfidence: null }, ['shadow', 'dump', 'brute', 'shell']],
  ])('filters tags by %s', async (_name, filter, expected) => {
    expect(await ids(filter)).toEqual(named(...expected));
    expect(await store.countTags(filter)).toBe(expected.length);
  });

  it('pages newest first by (createdAt, id), resuming after a keyset key without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: [string, string] | null = null;
    for (;;) {
      const rows = await store.listTags({}, after, 1);
      expect(rows.length).toBeLessThanOrEqual(2); // limit + 1 tells the caller another page follows
      const page = rows.slice(0, 1);
      seen.push(...page.map((t) => t.id));
      if (rows.length <= 1) break;
      const last = page[0]!;
      after = [last.createdAt.toISOString(), last.id];
    }
    const all = await store.listTags({}, null, 50);
    expect(seen).toEqual(all.map((t) => t.id));
    expect(all.map((t) => t.sourceId)).toEqual(['e3', 'e2', 'e1', 'e1']);
    expect(all[2]!.id > all[3]!.id).toBe(true); // same createdAt: id breaks the tie, descending
  });

  it('counts tags per technique, sub-technique and tactic with their highest confidence', async () => {
    const e4 = makeEvent('e4');
    await store.commit([e4], [makeTag(e4, { ruleId: 'R1001', confidence: 0.6 })], null);
    expect(await store.techniqueCounts({})).toEqual([
      { techniqueId: 'T1003', subTechniqueId: 'T1003.008', tactic: 'TA0006', count: 2, maxConfidence: 0.9 },
      { techniqueId: 'T1003', subTechniqueId: null, tactic: 'TA0006', count: 1, maxConfidence: 0.5 },
      { techniqueId: 'T1059', subTechniqueId: 'T1059.004', tactic: 'TA0002', count: 1, maxConfidence: 0.4 },
      { techniqueId: 'T1110', subTechniqueId: 'T1110.001', tactic: 'TA0006', count: 1, maxConfidence: 0.7 },
    ]);
    expect(await store.techniqueCounts({ techniqueId: 'T1003', minConfidence: 0.55 })).toEqual([
      { techniqueId: 'T1003', subTechniqueId: 'T1003.008', tactic: 'TA0006', count: 2, maxConfidence: 0.9 },
    ]);
  });

  it('returns tags by id in the order asked, leaving out unknown ids', async () => {
    const found = await store.tagsByIds([tags.shell!.id, 'no-such-id', tags.shadow!.id]);
    expect(found.map((t) => t.id)).toEqual([tags.shell!.id, tags.shadow!.id]);
    expect(found[1]).toEqual({ ...tags.shadow, createdAt: expect.any(Date), runId: null });
  });

  it('pages stored live events by key, from an event time, optionally of one kind', async () => {
    await store.commit([makeEvent('r1', { runId: 'run-1' })], [], 'run-1');
    const all = await store.eventsSince(at(0), null, 0, 10);
    expect(all.map((e) => e.event.sourceId)).toEqual(['e1', 'e2', 'e3']);
    expect(all.map((e) => e.key)).toEqual([...all.map((e) => e.key)].sort((a, b) => a - b));
    expect((await store.eventsSince(at(0), null, all[0]!.key, 1)).map((e) => e.event.sourceId)).toEqual(['e2']);
    expect((await store.eventsSince(at(10_000), null, 0, 10)).map((e) => e.event.sourceId)).toEqual(['e2', 'e3']);
    expect((await store.eventsSince(at(0), 'command', 0, 10)).map((e) => e.event.sourceId)).toEqual(['e1', 'e3']);
  });

  it('returns stored events and tags with exactly the values committed, dates to the millisecond', async () => {
    const [stored] = await store.eventsSince(at(0), null, 0, 1);
    expect(stored?.event).toEqual(makeEvent('e1', { occurredAt: at(0) }));
    expect(stored?.event.occurredAt.toISOString()).toBe('2024-05-06T07:08:09.123Z');
    const [tag] = await store.tagsByIds([tags.shadow!.id]);
    expect(tag?.occurredAt.getTime()).toBe(at(0).getTime());
    expect(tag?.createdAt.toISOString()).toBe('2024-05-06T07:09:09.123Z');
    expect(tag?.evidence).toEqual(tags.shadow!.evidence);
  });
});
