import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Scenario files for the operator tests, written into a fresh folder (the tests edit them). */
export async function writeScenarios(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-scenarios-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** A small labelled scenario: two tagged commands, a benign one, an allowed and a denied request. */
export const MINI = `id: mini
name: Mini intrusion
description: Two credential reads, a benign listing and two agent requests.
tags: [test]
runtime_hint: tiny
labels_complete: true
params:
  events_per_tick: 2
events:
  - at: 0
    event: { source_kind: command, host: web-1, payload: { command_text: "cat /etc/shadow" } }
    expect: { techniques: [T1003.008] }
  - at: 1
    event: { source_kind: command, host: web-1, payload: { command_text: "ls -la /tmp" } }
    expect: { techniques: [] }
  - at: 2
    event: { source_kind: command, host: web-1, payload: { command_text: "whoami" } }
  - at: 3
    request: { agent: test-agent, role: developer, spec_id: SPEC-DOCS, action: write_file, params: { path: docs/guide.md, content: "# Guide", create_dirs: true } }
    expect: { decision: APPROVED }
  - at: 4
    request: { agent: test-agent, role: developer, spec_id: SPEC-DOCS, action: read_file, params: { path: /etc/passwd } }
    expect: { decision: DENIED }
`;

/** `count` commands 100 ms apart at 5× realtime: about 20 ms a step, long enough to stop, pause and step. */
export function slowScenario(id: string, count: number): string {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const lines = [`id: ${id}`, `name: Slow ${id}`, 'description: Evenly spaced commands for run control tests.', 'params:', '  events_per_tick: 1', '  speed: 5', 'events:'];
  for (let i = 0; i < count; i += 1) {
    lines.push(`  - occurred_at: "${new Date(start + i * 100).toISOString()}"`, `    event: { source_kind: command, payload: { command_text: "echo step ${i}" } }`);
  }
  return `${lines.join('\n')}\n`;
}

export const RUN_FIELDS = `runId state endReason message scenarioId
  progress { progress eventsCompleted eventsTotal ticksCompleted ticksTotal }
  snapshot { governanceRevision governancePreset governanceHash rulePackHash policyHash scenarioHash policySetHash governance { confidenceFloor } }`;
