import type { RuleEngine } from '../src/engine/tagging/rule-engine.ts';
import type { PluginEvent } from '../src/plugins/api.ts';
import { loadAverage1m, machineFacts, readPositiveInt } from './lib/bench-env.ts';
import { loadCommandCorpus } from './lib/command-corpus.ts';
import { round } from './lib/load.ts';
import { DEFAULT_CONFIDENCE_FLOOR, loadShippedPack, toCommandEvent } from './lib/shipped-engine.ts';

/**
 * The tagging engine alone on one core (the bench issue: "engine only, shipped pack, mixed command
 * corpus: events/s, target ≥ 500,000"). The shipped `rules/` with every rule enabled, no lifters,
 * confidence floor 0.3, `await engine.evaluate(event)` one event at a time in this process.
 *
 * Two stream shapes, because the pattern index memoises recent field texts:
 * - `corpusReplay`: the corpus lines cycled as they are, so after the first pass every text is a memo
 *   hit (real command streams repeat a lot). The target is judged on this shape.
 * - `uniqueTexts`: every command_text gets a unique suffix, so the memo never hits and every event
 *   runs the RE2 sets. The suffix is a space then n in binary written with spaces and tabs: the
 *   obvious ` #<n>` changes the verdict on lines whose pattern must end at `$` after optional
 *   whitespace (R1030: `whoami`, `w`, … then `\s*($|[;&|)])`), while trailing whitespace does
 *   not. `suffixCheck` proves both on the corpus (rule ids per line).
 * Events are built outside the timed loops; only `evaluate` is timed.
 *
 * Env: BENCH_ENGINE_EVENTS (2,000,000) for corpusReplay, BENCH_ENGINE_UNIQUE_EVENTS (300,000) for
 * uniqueTexts (each costs RE2 passes, so fewer keep the bench short), BENCH_ENGINE_WARMUP_EVENTS
 * (200,000) per shape.
 */
export const TARGET_EVENTS_PER_SECOND = 500_000;
const CHUNK = 20_000;

type StreamShape = 'corpusReplay' | 'uniqueTexts';

export default async function engineBench() {
  const counts: Record<StreamShape, number> = {
    corpusReplay: readPositiveInt('BENCH_ENGINE_EVENTS', 2_000_000),
    uniqueTexts: readPositiveInt('BENCH_ENGINE_UNIQUE_EVENTS', 300_000),
  };
  const warmup = readPositiveInt('BENCH_ENGINE_WARMUP_EVENTS', 200_000);
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const { pack, newEngine } = await loadShippedPack();
  const corpus = await loadCommandCorpus();
  const base = corpus.rows.map((row, i) => toCommandEvent(`bench:${i}`, row.payload));
  const texts = base.map((event) => String(event.payload.command_text));

  // Builds event n of a shape; the unique shape copies the payload with a numbered command_text.
  const eventAt = (shape: StreamShape, n: number): PluginEvent => {
    const i = n % base.length;
    const event = base[i] as PluginEvent;
    if (shape === 'corpusReplay') return event;
    return withText(event, whitespaceSuffix(texts[i] as string, n));
  };

  const suffixCheck = await checkSuffix(newEngine(), base, texts, whitespaceSuffix);
  const hashSuffixCheck = await checkSuffix(newEngine(), base, texts, (text, n) => `${text} #${n}`);
  if (!suffixCheck.identical) throw new Error(`the unique-text suffix changes the verdict on corpus lines ${suffixCheck.differingLines.join(', ')}`);

  const shapes = {} as Record<StreamShape, ReturnType<typeof figures>>;
  for (const shape of ['corpusReplay', 'uniqueTexts'] as const) {
    const engine = newEngine();
    progress(`${shape}: warm-up ${warmup} events`);
    await measure(engine, warmup, (n) => eventAt(shape, n));
    progress(`${shape}: measuring ${counts[shape]} events`);
    const run = await measure(engine, counts[shape], (n) => eventAt(shape, warmup + n));
    shapes[shape] = figures(run);
    progress(`${shape}: ${shapes[shape].eventsPerSecond} events/s, ${shapes[shape].tagsPerSecond} tags/s`);
  }
  const meetsTarget = shapes.corpusReplay.eventsPerSecond >= TARGET_EVENTS_PER_SECOND;
  progress(`corpusReplay ${shapes.corpusReplay.eventsPerSecond} events/s (target ≥ ${TARGET_EVENTS_PER_SECOND}) → ${meetsTarget ? 'meets target' : 'BELOW TARGET'}`);

  const tagging = base.length > 0 ? suffixCheck.taggedLines / base.length : 0;
  return {
    bench: 'engine',
    description: 'await engine.evaluate(event), shipped rules/, all rules enabled, no lifters, floor 0.3, one event at a time in one process (one core)',
    timestamp: startedAt.toISOString(),
    machine: { ...machineFacts(), loadAverage1m: { start: loadAtStart, end: loadAverage1m() } },
    settings: { events: counts, warmupEventsPerShape: warmup, confidenceFloor: DEFAULT_CONFIDENCE_FLOOR, timedChunk: CHUNK },
    rules: { loaded: pack.rules.length, patternRules: pack.rules.filter((r) => r.match.type === 'pattern').length, problems: newEngine().problems.length },
    corpus: { file: 'test/corpus/command.jsonl', lines: base.length, positiveRows: corpus.positiveRows, negativeRows: base.length - corpus.positiveRows, taggedLines: suffixCheck.taggedLines, taggedFraction: round(tagging, 3) },
    suffixCheck: { used: 'space + n in binary as spaces/tabs', ...suffixCheck, rejected: { suffix: ' #<n>', ...hashSuffixCheck } },
    shapes: {
      corpusReplay: { stream: 'corpus lines cycled as-is (pattern-index memo hits after the first pass)', ...shapes.corpusReplay },
      uniqueTexts: { stream: 'command_text + a unique whitespace suffix on every event (memo never hits; RE2 runs on every event)', ...shapes.uniqueTexts },
    },
    target: TARGET_EVENTS_PER_SECOND,
    targetJudgedOn: 'corpusReplay',
    meetsTarget,
  };
}

/** Unique per n (a tab leads every binary numeral); patterns ending in `\s*$` or `\b` see the same verdict. */
function whitespaceSuffix(text: string, n: number): string {
  return `${text} ${n.toString(2).replaceAll('0', ' ').replaceAll('1', '\t')}`;
}

function withText(event: PluginEvent, commandText: string): PluginEvent {
  return { ...event, payload: { ...event.payload, command_text: commandText } };
}

/** Rule ids per corpus line with and without a suffix; the unique-text shape is only fair if they agree. */
async function checkSuffix(engine: RuleEngine, base: PluginEvent[], texts: string[], suffixed: (text: string, n: number) => string) {
  const rulesOf = async (event: PluginEvent) => (await engine.evaluate(event)).map((t) => `${t.ruleId}/${t.techniqueId}/${t.subTechniqueId}`).sort().join(',');
  let taggedLines = 0;
  let tags = 0;
  const differing: number[] = [];
  for (const [i, event] of base.entries()) {
    const plain = await rulesOf(event);
    const other = await rulesOf(withText(event, suffixed(texts[i] as string, 1_000_000 + i)));
    if (plain !== '') taggedLines += 1;
    tags += plain === '' ? 0 : plain.split(',').length;
    if (plain !== other) differing.push(i + 1);
  }
  return { lines: base.length, taggedLines, tags, linesWithDifferentRules: differing.length, differingLines: differing.slice(0, 20), identical: differing.length === 0 };
}

interface Run {
  events: number;
  tags: number;
  wallNanos: bigint;
  cpuMicros: number;
}

/** Evaluates `count` events in chunks; each chunk is built first, then only `evaluate` is timed. */
async function measure(engine: RuleEngine, count: number, eventAt: (n: number) => PluginEvent): Promise<Run> {
  const run: Run = { events: 0, tags: 0, wallNanos: 0n, cpuMicros: 0 };
  const chunk: PluginEvent[] = new Array(CHUNK);
  for (let first = 0; first < count; first += CHUNK) {
    const size = Math.min(CHUNK, count - first);
    for (let j = 0; j < size; j++) chunk[j] = eventAt(first + j);
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    let tags = 0;
    for (let j = 0; j < size; j++) tags += (await engine.evaluate(chunk[j] as PluginEvent)).length;
    run.wallNanos += process.hrtime.bigint() - started;
    const used = process.cpuUsage(cpu);
    run.cpuMicros += used.user + used.system;
    run.events += size;
    run.tags += tags;
  }
  return run;
}

function figures(run: Run) {
  const seconds = Number(run.wallNanos) / 1e9;
  return {
    eventsPerSecond: Math.round(run.events / seconds),
    tagsPerSecond: Math.round(run.tags / seconds),
    /** Events per second of this process's CPU time: moves less than wall-clock rates when neighbours load the machine. */
    eventsPerCpuSecond: Math.round(run.events / (run.cpuMicros / 1e6)),
    nanosPerEvent: round((Number(run.wallNanos) / run.events), 1),
    events: run.events,
    tags: run.tags,
    seconds: round(seconds, 3),
  };
}

function progress(line: string): void {
  process.stderr.write(`[engine] ${line}\n`);
}
