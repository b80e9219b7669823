import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { formatFileProblem } from '../file-problem.ts';
import type { GovernancePreset } from '../governance/governance.ts';
import { parseGovernancePresets, PRESETS_FILE } from './governance-presets.ts';
import { parseScenario, readScenarioYaml, ScenarioFileError } from './parse-scenario.ts';
import type { Scenario, ScenarioLoadError } from './scenario.ts';

/** The largest events file a scenario may use (issue #5: oversized input is a clear error). */
export const MAX_EVENTS_FILE_BYTES = 64 * 1024 * 1024;

export interface ScenarioFolder {
  /** The scenarios that loaded, in file-name order. */
  scenarios: Scenario[];
  /** Scenario files that did not load, each with all of its problems. */
  errors: ScenarioLoadError[];
  /** Built-in presets first, then those of presets/governance.yaml that are valid. */
  presets: GovernancePreset[];
  /** Problems of presets/governance.yaml (one entry, path `presets/governance.yaml`), or []. */
  presetErrors: ScenarioLoadError[];
}

/**
 * Reads `events_file` for a scenario in `dir`: a relative `.jsonl` path that stays inside `root`
 * (no absolute paths, no `..` escape, no symlink leading out), at most MAX_EVENTS_FILE_BYTES.
 */
async function readEventsFile(root: string, dir: string, rel: string, file: string, scenarioId: string | null): Promise<{ text: string; file: string }> {
  const fail = (message: string) => new ScenarioFileError([{ file, field: 'events_file', message }], scenarioId);
  if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) throw fail(`must be a path inside the scenarios folder, got ${JSON.stringify(rel)}`);
  if (!rel.endsWith('.jsonl')) throw fail(`must name a .jsonl file, got ${JSON.stringify(rel)}`);
  const target = path.join(dir, rel);
  // realpath follows every symlink on the way, so a link anywhere in the path cannot lead out.
  const real = await realpath(target).catch(() => null);
  if (real === null) throw fail(`names a file that does not exist, got ${JSON.stringify(rel)}`);
  const realRoot = await realpath(root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw fail(`resolves outside the scenarios folder (a symlink?), got ${JSON.stringify(rel)}`);
  const info = await stat(real);
  if (!info.isFile()) throw fail(`must name a file, got ${JSON.stringify(rel)}`);
  if (info.size > MAX_EVENTS_FILE_BYTES) throw fail(`is ${info.size} bytes; the limit is ${MAX_EVENTS_FILE_BYTES} (64 MiB), got ${JSON.stringify(rel)}`);
  return { text: await readFile(real, 'utf8'), file: path.relative(root, target).split(path.sep).join('/') };
}

/**
 * Loads one scenario file from anywhere (`gatehouse replay <file>` uses it). Its `events_file` is
 * resolved beside it and must stay inside `root` (the file's own folder by default). Throws
 * ScenarioFileError with every problem found.
 */
export async function loadScenarioFile(file: string, options: { catalogue: AttackCatalogue; presets: ReadonlySet<string>; root?: string }): Promise<Scenario> {
  const dir = path.dirname(path.resolve(file));
  const root = options.root ?? dir;
  const display = path.relative(root, path.resolve(file)).split(path.sep).join('/');
  const text = await readFile(file, 'utf8');
  const raw = readScenarioYaml(text, display);
  const eventsFile = raw && typeof raw === 'object' && typeof (raw as { events_file?: unknown }).events_file === 'string' && (raw as { events?: unknown }).events === undefined ? (raw as { events_file: string }).events_file : null;
  const declaredId = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
  const base = { file: display, presets: options.presets, catalogue: options.catalogue };
  if (eventsFile === null) return parseScenario(text, base);
  let events: { text: string; file: string };
  try {
    events = await readEventsFile(root, dir, eventsFile, display, declaredId);
  } catch (err) {
    if (!(err instanceof ScenarioFileError)) throw err;
    // Report the YAML's own problems with the events file's, all at once (the steps are unknown).
    try {
      parseScenario(text, { ...base, eventsText: '', eventsFile });
    } catch (yamlErr) {
      if (yamlErr instanceof ScenarioFileError) throw new ScenarioFileError([...yamlErr.problems.filter((p) => p.field !== 'events_file'), ...err.problems], yamlErr.scenarioId ?? declaredId);
      throw yamlErr;
    }
    throw err;
  }
  return parseScenario(text, { ...base, eventsText: events.text, eventsFile: events.file });
}

/**
 * Loads a scenarios folder (issue #5 §1): every `*.yaml`/`*.yml` at the top level, sorted (`.`/`_`
 * prefixed files skipped), and `presets/governance.yaml`. A file that fails is reported with all its
 * problems and left out; two files declaring the same id are an error naming both. With
 * `lastGoodPresets`, a broken presets file yields those presets instead of its valid subset.
 */
export async function loadScenarioFolder(dir: string, catalogue: AttackCatalogue, options: { lastGoodPresets?: readonly GovernancePreset[] } = {}): Promise<ScenarioFolder> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const presetsText = await readFile(path.join(dir, PRESETS_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
  const parsed = parseGovernancePresets(presetsText, catalogue);
  const { problems } = parsed;
  // A broken presets file keeps the last good presets (when the caller has some): scenarios are
  // checked against the presets that will actually be served.
  const presets = problems.length > 0 && options.lastGoodPresets ? [...options.lastGoodPresets] : parsed.presets;
  const presetErrors: ScenarioLoadError[] = problems.length > 0 ? [{ path: PRESETS_FILE, scenarioId: null, problems: problems.map(formatFileProblem) }] : [];
  const errors: ScenarioLoadError[] = [];
  const names = new Set(presets.map((p) => p.name));
  const scenarios: Scenario[] = [];
  const seen = new Map<string, string>();
  const files = entries.filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name) && !/^[._]/.test(e.name)).map((e) => e.name).sort();
  for (const name of files) {
    try {
      const scenario = await loadScenarioFile(path.join(dir, name), { catalogue, presets: names, root: dir });
      const first = seen.get(scenario.id);
      if (first) {
        errors.push({ path: name, scenarioId: scenario.id, problems: [`${name}: id ${scenario.id} is already defined by ${first}`] });
        continue;
      }
      seen.set(scenario.id, name);
      scenarios.push(scenario);
    } catch (err) {
      if (err instanceof ScenarioFileError) errors.push({ path: name, scenarioId: err.scenarioId, problems: err.problems.map(formatFileProblem) });
      else errors.push({ path: name, scenarioId: null, problems: [`${name}: could not be read: ${(err as Error).message}`] });
    }
  }
  return { scenarios, errors, presets, presetErrors };
}
