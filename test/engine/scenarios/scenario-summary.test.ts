import { describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { parseScenario } from '../../../src/engine/scenarios/parse-scenario.ts';
import { scenarioSummary } from '../../../src/engine/scenarios/scenario-summary.ts';

const catalogue = loadAttackCatalogue();
const presets = new Set(['default', 'strict']);
const TEXT = `id: one
name: First
labels_complete: true
start_at: 2026-02-01T08:00:00Z
events:
  - at: 0
    event: { source_kind: command, host: web-1, session_id: s-1, attacker_id: actor-1, payload: { command_text: cat /etc/shadow } }
    expect: { techniques: [T1003.008] }
  - at: 90s
    request: { agent: a, role: developer, spec_id: SPEC-DOCS, action: write_file, params: { path: docs/x.md, content: "x" }, rationale: notes }
    as: { agent: b, roles: [developer] }
    expect: { decision: APPROVED }
  - at: 90s
    request: { agent: a, role: developer, spec_id: SPEC-DOCS, action: delete_file, params: { path: docs/x.md } }
    expect: { decision: PENDING_APPROVAL, techniques: [] }
  - at: 2m
    event: { source_kind: command, payload: { command_text: ls } }
`;
const one = parseScenario(TEXT, { file: 'one.yaml', presets, catalogue });

describe('a scenario summary', () => {
  it('counts steps, labels, expected techniques and decisions, and the virtual duration', () => {
    expect(scenarioSummary(one)).toEqual({
      stepCount: 4,
      eventCount: 2,
      requestCount: 2,
      labelledCount: 3,
      labelCoverage: 0.75,
      expectedTechniques: ['T1003.008'],
      expectedDecisions: { APPROVED: 1, PENDING_APPROVAL: 1 },
      durationSeconds: 120,
    });
  });

  it('sorts expected techniques and counts each once', () => {
    const s = parseScenario('id: t\nname: T\nevents:\n  - event: { source_kind: command, payload: { command_text: a } }\n    expect: { techniques: [T1105, T1059.004] }\n  - at: 5s\n    event: { source_kind: command, payload: { command_text: b } }\n    expect: { techniques: [T1059.004, T1003] }\n', { file: 't.yaml', presets, catalogue });
    expect(scenarioSummary(s)).toMatchObject({ expectedTechniques: ['T1003', 'T1059.004', 'T1105'], labelCoverage: 1, durationSeconds: 5, expectedDecisions: {} });
  });

  it('is all zeros for a scenario without steps', () => {
    expect(scenarioSummary({ ...one, steps: [] })).toEqual({ stepCount: 0, eventCount: 0, requestCount: 0, labelledCount: 0, labelCoverage: 0, expectedTechniques: [], expectedDecisions: {}, durationSeconds: 0 });
  });
});

