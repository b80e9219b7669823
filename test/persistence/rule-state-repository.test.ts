import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleState } from '../../src/engine/tagging/rule-state.ts';
import type { RuleStateStore } from '../../src/engine/tagging/tag-store.ts';
import type { Database } from '../../src/persistence/database.ts';
import { createRuleStateRepository } from '../../src/persistence/repositories/rule-state-repository.ts';
import { at, openTestDatabase } from './tagging-fixtures.ts';

describe('rule state repository', () => {
  let db: Database;
  let close: () => Promise<void>;
  let store: RuleStateStore;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
    store = createRuleStateRepository(() => db.fork(), { now: () => at(99_000) });
  });
  afterEach(() => close());

  const clipped: RuleState = { ruleId: 'R1001', state: 'clipped', confidenceMax: 0.45, expiresAt: at(3_600_000), reason: 'noisy on build hosts', setBy: 'token-1', setAt: at(0) };
  const disabled: RuleState = { ruleId: 'R1001', state: 'disabled', confidenceMax: null, expiresAt: null, reason: null, setBy: 'token-2', setAt: at(1_000) };

  it('stores a state and returns it with every field, dates to the millisecond', async () => {
    await store.put(clipped);
    expect(await store.all()).toEqual([clipped]);
    expect((await store.all())[0]?.expiresAt?.toISOString()).toBe('2024-05-06T08:08:09.123Z');
  });

  it('replaces the state of a rule that already has one', async () => {
    await store.put(clipped);
    await store.put(disabled);
    await store.put({ ...disabled, ruleId: 'R2002' });
    expect(await store.all()).toEqual([disabled, { ...disabled, ruleId: 'R2002' }]);
  });

  it('removes a state once and says whether there was one', async () => {
    await store.put(clipped);
    expect(await store.remove('R1001', 'ops', null)).toBe(true);
    expect(await store.remove('R1001', 'ops', null)).toBe(false);
    expect(await store.all()).toEqual([]);
  });

  it('keeps the history of a rule newest first, clears included with who and why', async () => {
    await store.put(clipped);
    await store.put(disabled);
    await store.put({ ...disabled, ruleId: 'R2002' });
    await store.remove('R1001', 'alice', 'false positives fixed');
    await store.remove('R1001', 'alice', null);

    expect(await store.history('R1001', 10)).toEqual([
      { ruleId: 'R1001', action: 'clear', state: 'enabled', confidenceMax: null, expiresAt: null, reason: 'false positives fixed', setBy: 'alice', setAt: at(99_000) },
      { ...disabled, action: 'set' },
      { ...clipped, action: 'set' },
    ]);
    expect((await store.history('R1001', 2)).map((h) => h.action)).toEqual(['clear', 'set']);
    expect(await store.history('R2002', 10)).toHaveLength(1);
    expect(await store.history('R9999', 10)).toEqual([]);
  });
});
