import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { describeIssues, formatFileProblem, type FileProblem } from '../file-problem.ts';
import { DURATION, scenarioFileSchema, stepSchema, type ScenarioFile, type StepFile } from './scenario-file-schema.ts';
import type { ComponentName, Scenario, ScenarioStep } from './scenario.ts';

/** A scenario file that does not load: every problem found, each naming the file and field. */
export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
  constructor(
    readonly problems: FileProblem[],
    readonly scenarioId: string | null,
  ) {
    super(problems.map(formatFileProblem).join('\n'));
  }
}

export interface ParseScenarioOptions {
  /** The YAML file as messages name it, relative to the scenarios folder (`linux-intrusion.yaml`). */
  file: string;
  /**
   * The id the file must declare. Default: the file name without `.yaml`/`.yml`; null skips the check
   * (for text that is not a file of its own).
   */
  expectedId?: string | null;
  /** The text of the file `events_file` names, when the scenario uses one (the loader reads it). */
  eventsText?: string;
  /** That file as messages and `origin` name it, relative to the scenarios folder (default: `events_file` as written). */
  eventsFile?: string;
  /** Names of the known governance presets (built-in and presets/governance.yaml). */
  presets: ReadonlySet<string>;
  catalogue: AttackCatalogue;
}

/** The id a scenario file must declare: its name without the folder and `.yaml`/`.yml`. */
export function scenarioIdOfFile(file: string): string {
  return (file.split('/').at(-1) ?? file).replace(/\.ya?ml$/i, '');
}

/** Problems beyond this many are summarised: a generated file with one systematic mistake says so once. */
const MAX_PROBLEMS = 50;

/** Seconds in an `at` offset (`90`, `"90s"`, `"1h30m"`, `"250ms"`). */
export function offsetSeconds(at: number | string): number {
  if (typeof at === 'number') return at;
  const m = DURATION.exec(at);
  if (!m) return Number.NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 1000;
}

/** Reads the top-level YAML (for the loader, which needs `events_file` before it can read it). */
export function readScenarioYaml(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ScenarioFileError([{ file, field: null, message: `is not valid YAML: ${(err as Error).message.split('\n')[0]}` }], null);
  }
}

/**
 * Why a label cannot be scored, or null: the id must name a current technique of the vendored
 * catalogue (a revoked or deprecated one is never emitted by a valid rule, so it could only be missed).
 * A sub-technique typo names its parent's real sub-techniques.
 */
function techniqueProblem(id: string, catalogue: AttackCatalogue): string | null {
  const technique = catalogue.technique(id);
  if (technique) return technique.revoked || technique.deprecated ? `${id} is ${technique.revoked ? 'revoked' : 'deprecated'} in ATT&CK ${catalogue.release}` : null;
  const parentId = id.split('.')[0] as string;
  const parent = id.includes('.') ? catalogue.technique(parentId) : undefined;
  const known = parent ? [...catalogue.techniques()].filter((t) => t.parentId === parentId && !t.revoked && !t.deprecated).map((t) => t.id).sort() : [];
  const hint = parent ? (known.length > 0 ? `; ${parentId} (${parent.name}) has ${known.join(', ')}` : `; ${parentId} (${parent.name}) has no sub-techniques`) : '';
  return `must be a technique of ATT&CK Enterprise ${catalogue.release} (the vendored catalogue)${hint}, got ${JSON.stringify(id)}`;
}

interface RawStep {
  value: unknown;
  /** For messages: the file and the field prefix (`events[3]`) or line (`:12`). */
  file: string;
  prefix: (string | number)[];
  origin: string;
}

function rawSteps(file: ScenarioFile, opts: ParseScenarioOptions, problems: FileProblem[]): RawStep[] {
  if (file.events) return file.events.map((value, i) => ({ value, file: opts.file, prefix: ['events', i], origin: `${opts.file} events[${i}]` }));
  if (opts.eventsText === undefined) {
    problems.push({ file: opts.file, field: 'events_file', message: `was not read (no events text was given to the parser), got ${JSON.stringify(file.events_file)}` });
    return [];
  }
  const events = { text: opts.eventsText, file: opts.eventsFile ?? (file.events_file as string) };
  const steps: RawStep[] = [];
  // One step object per line; blank lines are allowed. `\r\n` files work because each line is trimmed.
  const lines = events.text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const where = `${events.file}:${i + 1}`;
    try {
      steps.push({ value: JSON.parse(line), file: where, prefix: [], origin: where });
    } catch (err) {
      problems.push({ file: where, field: null, message: `is not valid JSON: ${(err as Error).message}` });
    }
  }
  return steps;
}

/**
 * Parses and validates one scenario (issue #5 §1) into the run engine's form: defaults applied, times
 * resolved on the virtual clock (`at` offsets from `start_at`, or `occurred_at`; a step without either
 * happens with the previous one), default source ids `<id>-<n>`, steps ordered by time (stable), and
 * every expected technique checked against the ATT&CK catalogue. Throws ScenarioFileError with every
 * problem found.
 */
export function parseScenario(text: string, opts: ParseScenarioOptions): Scenario {
  const raw = readScenarioYaml(text, opts.file);
  const parsed = scenarioFileSchema.safeParse(raw);
  const declaredId = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
  if (!parsed.success) throw new ScenarioFileError(describeIssues(parsed.error.issues, raw, opts.file), declaredId);
  const file = parsed.data;
  const problems: FileProblem[] = [];
  const expectedId = opts.expectedId === undefined ? scenarioIdOfFile(opts.file) : opts.expectedId;
  if (expectedId !== null && file.id !== expectedId) problems.push({ file: opts.file, field: 'id', message: `must equal the file name "${expectedId}", got ${JSON.stringify(file.id)}` });
  if (file.governance_preset !== null && !opts.presets.has(file.governance_preset)) {
    problems.push({ file: opts.file, field: 'governance_preset', message: `names no known preset; known: ${[...opts.presets].sort().join(', ')}, got ${JSON.stringify(file.governance_preset)}` });
  }
  const startAt = new Date(file.start_at);
  const steps: ScenarioStep[] = [];
  let previous = startAt;
  let skipped = 0;
  const add = (p: FileProblem) => (problems.length < MAX_PROBLEMS ? problems.push(p) : (skipped += 1));
  for (const [n, step] of rawSteps(file, opts, problems).entries()) {
    const result = stepSchema.safeParse(step.value);
    if (!result.success) {
      for (const p of describeIssues(result.error.issues, step.prefix.length > 0 ? raw : step.value, step.file, step.prefix)) add(p);
      continue;
    }
    const s: StepFile = result.data;
    const field = (name: string) => [step.prefix.length ? `events[${step.prefix[1]}]` : null, name].filter((x) => x !== null).join('.');
    const at = s.occurred_at !== undefined ? new Date(s.occurred_at) : s.at !== undefined ? new Date(startAt.getTime() + offsetSeconds(s.at) * 1000) : previous;
    previous = at;
    for (const [i, t] of (s.expect?.techniques ?? []).entries()) {
      const problem = techniqueProblem(t, opts.catalogue);
      if (problem) add({ file: step.file, field: field(`expect.techniques[${i}]`), message: problem });
    }
    const expect = s.expect ? { techniques: [...new Set(s.expect.techniques)], decision: s.expect.decision ?? null } : null;
    if (s.event) {
      const e = s.event;
      steps.push({ type: 'event', index: n, at, expect, origin: step.origin, event: { sourceKind: e.source_kind, sourceId: e.source_id ?? `${file.id}-${n + 1}`, occurredAt: at, attackerId: e.attacker_id ?? null, sessionId: e.session_id ?? null, host: e.host ?? null, payload: e.payload } });
    } else if (s.request) {
      const r = s.request;
      steps.push({ type: 'request', index: n, at, expect, origin: step.origin, request: { agent: r.agent, role: r.role, specId: r.spec_id, action: r.action, params: r.params, rationale: r.rationale ?? null }, tokenAgent: s.as?.agent ?? r.agent, tokenRoles: s.as?.roles ?? [r.role] });
    }
  }
  if (skipped > 0) problems.push({ file: opts.file, field: null, message: `and ${skipped} more problem${skipped === 1 ? '' : 's'} in its steps` });
  if (problems.length === 0 && steps.length === 0) problems.push({ file: opts.file, field: file.events ? 'events' : 'events_file', message: 'has no steps' });
  if (problems.length > 0) throw new ScenarioFileError(problems, file.id);

  steps.sort((a, b) => a.at.getTime() - b.at.getTime() || a.index - b.index);
  steps.forEach((s, i) => (s.index = i));
  const components: ComponentName[] = file.components ?? ['tagger', 'store', ...(steps.some((s) => s.type === 'request') ? (['gateway'] as const) : [])];
  return {
    id: file.id,
    name: file.name,
    description: file.description,
    tags: file.tags,
    runtimeHint: file.runtime_hint,
    components,
    params: { ticksTotal: file.params.ticks_total, eventsPerTick: file.params.events_per_tick, speed: file.params.speed, metricsEnabled: file.params.metrics_enabled, loggingEnabled: file.params.logging_enabled },
    governancePreset: file.governance_preset,
    labelsComplete: file.labels_complete,
    startAt,
    steps,
    sourcePath: opts.file,
    eventsFile: file.events_file ? (opts.eventsFile ?? file.events_file) : null,
    // The overlay, when one is applied, is folded in by applyScenarioOverlay (scenario-overlay.ts).
    hash: createHash('sha256').update(text).update('\n').update(file.events_file ? (opts.eventsText ?? '') : '').digest('hex'),
    overlaid: false,
  };
}
