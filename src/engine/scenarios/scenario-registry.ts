import type { AttackCatalogue } from '../attack/catalogue.ts';
import type { GovernancePreset } from '../governance/governance.ts';
import { watchRules } from '../tagging/rule-watcher.ts';
import { BUILT_IN_PRESETS } from './governance-presets.ts';
import { loadScenarioFolder } from './load-scenarios.ts';
import { applyScenarioOverlay } from './scenario-overlay.ts';
import type { Scenario, ScenarioLoadError, ScenarioOverlay } from './scenario.ts';

export interface ScenarioReload {
  loaded: number;
  errors: ScenarioLoadError[];
}

export interface ScenarioRegistry {
  reload(): Promise<ScenarioReload>;
  /** Applies add, change and delete of files on disk; returns the stop function. */
  watch(): () => void;
  /** The scenario with its overlay applied. */
  get(id: string): Scenario | undefined;
  /** Every loaded scenario, by id, overlays applied. */
  list(): Scenario[];
  /**
   * Files that failed on the last reload, presets/governance.yaml first (a failing file with a last
   * good version keeps it loaded, and its entry says so).
   */
  errors(): ScenarioLoadError[];
  presets(): GovernancePreset[];
  presetNames(): Set<string>;
  /** Re-applies a scenario's overlay after it was stored or removed. */
  refreshOverlay(id: string): void;
}

/**
 * The loaded scenarios (issue #5 §1): the folder on disk with hot reload, last-good per file (an edit
 * that breaks a file keeps its previous version running and is reported), overlays from the database
 * applied on top. Presets come from the same folder; a broken presets file keeps the last good presets.
 */
export function createScenarioRegistry(deps: {
  dir: string;
  catalogue: AttackCatalogue;
  overlay(id: string): ScenarioOverlay | undefined;
  onReload?(result: ScenarioReload): void;
  onError?(err: unknown): void;
}): ScenarioRegistry {
  let byFile = new Map<string, Scenario>();
  let byId = new Map<string, Scenario>();
  let errors: ScenarioLoadError[] = [];
  let presets: GovernancePreset[] = [...BUILT_IN_PRESETS];
  let presetsLoaded = false;
  let reloading: Promise<ScenarioReload> | null = null;
  let again = false;

  const rebuild = () => {
    byId = new Map([...byFile.values()].sort((a, b) => a.id.localeCompare(b.id)).map((s) => [s.id, applyScenarioOverlay(s, deps.overlay(s.id))]));
  };

  const load = async (): Promise<ScenarioReload> => {
    const folder = await loadScenarioFolder(deps.dir, deps.catalogue, presetsLoaded ? { lastGoodPresets: presets } : {});
    const next = new Map(folder.scenarios.map((s) => [s.sourcePath, s]));
    for (const e of folder.errors) {
      const good = byFile.get(e.path);
      if (good && !folder.scenarios.some((s) => s.id === good.id)) next.set(e.path, good);
    }
    // A broken presets file keeps the last good presets (the loader served them), like a broken scenario.
    const presetsKept = folder.presetErrors.length > 0 && presetsLoaded;
    presets = folder.presets;
    if (folder.presetErrors.length === 0) presetsLoaded = true;
    byFile = next;
    errors = [
      ...folder.presetErrors.map((e) => (presetsKept ? { ...e, problems: [...e.problems, `${e.path}: the last good presets stay loaded`] } : e)),
      ...folder.errors.map((e) => (byFile.has(e.path) ? { ...e, problems: [...e.problems, `${e.path}: the last good version stays loaded`] } : e)),
    ];
    rebuild();
    const result = { loaded: byId.size, errors };
    deps.onReload?.(result);
    return result;
  };

  const registry: ScenarioRegistry = {
    reload() {
      // One reload at a time; a change during a reload triggers one more afterwards.
      if (reloading) {
        again = true;
        return reloading;
      }
      reloading = (async () => {
        try {
          let result = await load();
          while (again) {
            again = false;
            result = await load();
          }
          return result;
        } finally {
          reloading = null;
        }
      })();
      return reloading;
    },
    watch: () => watchRules(deps.dir, () => void registry.reload().catch((err) => deps.onError?.(err)), { onError: (err) => deps.onError?.(err) }),
    get: (id) => byId.get(id),
    list: () => [...byId.values()],
    errors: () => errors,
    presets: () => presets,
    presetNames: () => new Set(presets.map((p) => p.name)),
    refreshOverlay() {
      rebuild();
    },
  };
  return registry;
}
