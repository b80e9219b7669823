import { describe, expect, it } from 'vitest';
import { TAG_ID_NAMESPACE, tagId } from '../../../src/engine/tagging/tag-id.ts';

/** Golden vectors, computed independently (Python's uuid.uuid5); they must never change. */
describe('tag ids', () => {
  it('uses the documented namespace', () => {
    expect(TAG_ID_NAMESPACE).toBe('fd7ece87-22a6-4dae-bdde-8c251f3ecb60');
  });

  it.each([
    [{ sourceKind: 'command', sourceId: 'evt-1', ruleId: 'R1001', ruleVersion: 1, techniqueId: 'T1003', subTechniqueId: 'T1003.008' }, '75f2140d-e409-542a-ba73-c38402e59e24'],
    [{ sourceKind: 'auth_attempt', sourceId: 'a-42', ruleId: 'R3001', ruleVersion: 2, techniqueId: 'T1110', subTechniqueId: null }, 'bd732113-a31a-5bd9-98d9-7616bb0358f4'],
    [{ sourceKind: 'http_request', sourceId: 'req/ü', ruleId: 'web-shell', ruleVersion: 1, techniqueId: 'T1505', subTechniqueId: 'T1505.003' }, '45140544-4749-58d5-a73a-eb3300158ef1'],
  ])('derives %o → %s', (identity, expected) => {
    expect(tagId(identity)).toBe(expected);
  });

  it('changes with the rule version', () => {
    const base = { sourceKind: 'command', sourceId: 'e', ruleId: 'R1', ruleVersion: 1, techniqueId: 'T1003', subTechniqueId: null };
    expect(tagId(base)).not.toBe(tagId({ ...base, ruleVersion: 2 }));
  });
});
