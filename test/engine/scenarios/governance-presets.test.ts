import { describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { formatFileProblem } from '../../../src/engine/file-problem.ts';
import { BUILT_IN_PRESETS, parseGovernancePresets } from '../../../src/engine/scenarios/governance-presets.ts';

const catalogue = loadAttackCatalogue();
const problems = (text: string | null) => parseGovernancePresets(text, catalogue).problems.map(formatFileProblem);

describe('parsing governance presets', () => {
  it('has only the built-in default when there is no presets file', () => {
    expect(parseGovernancePresets(null, catalogue)).toEqual({ presets: [...BUILT_IN_PRESETS], problems: [] });
    expect(BUILT_IN_PRESETS).toEqual([{ name: 'default', description: 'the current governance, unchanged', patch: {}, source: 'built-in' }]);
  });

  it('turns every snake_case field into the camelCase governance patch', () => {
    const text = `presets:
  everything:
    description: all fields
    mode: shadow
    action_mode: dry_run
    budgets: { max_requests_per_minute: 30, max_events_per_run: 5000 }
    confidence_floor: 0.4
    blocked_tactics: [TA0002, TA0011]
    tag_deny_threshold: 0.6
    approval_ttl_seconds: 600
  nothing:
    description: no change at all
`;
    expect(parseGovernancePresets(text, catalogue)).toEqual({
      presets: [
        ...BUILT_IN_PRESETS,
        {
          name: 'everything',
          description: 'all fields',
          patch: { mode: 'shadow', actionMode: 'dry_run', budgets: { maxRequestsPerMinute: 30, maxEventsPerRun: 5000 }, confidenceFloor: 0.4, blockedTactics: ['TA0002', 'TA0011'], tagDenyThreshold: 0.6, approvalTtlSeconds: 600 },
          source: 'presets/governance.yaml',
        },
        { name: 'nothing', description: 'no change at all', patch: {}, source: 'presets/governance.yaml' },
      ],
      problems: [],
    });
  });

  it.each([
    ['presets:\n  a:\n    mode: loud\n', ["presets/governance.yaml: 'presets.a.description' is required", 'presets/governance.yaml: \'presets.a.mode\' must be one of enforce, shadow, got "loud"']],
    ['presets:\n  a:\n    description: x\n    colour: red\n', ["presets/governance.yaml: 'presets.a' has unknown key 'colour'"]],
    ['presets:\n  a:\n    description: x\n    confidence_floor: 2\n', ["presets/governance.yaml: 'presets.a.confidence_floor' must be between 0 and 1, got 2"]],
    ['presets:\n  a:\n    description: x\n    blocked_tactics: [execution]\n', ['presets/governance.yaml: \'presets.a.blocked_tactics[0]\' must be a tactic id like "TA0002", got "execution"']],
    ['presets:\n  Loud:\n    description: x\n', ['presets/governance.yaml: \'presets\' key "Loud" must be kebab-case']],
    ['presets: [\n', ['presets/governance.yaml: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:']],
  ])('reports %j with the field and what arrived', (text, expected) => {
    expect(problems(text)).toEqual(expected);
  });
});
