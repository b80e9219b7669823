import type { EventInput } from '../tagging/event-input.ts';
import type { GatewayRequestInput, RequestStatus } from '../gateway/decision.ts';

/**
 * A replay scenario (DESIGN §8, issue #5 §1) as the run engine sees it: validated, events resolved
 * (inline or from the JSONL file beside the YAML), the database overlay applied, and the steps in
 * virtual-time order. File spelling is snake_case (`scenarios/*.yaml`, `schemas/scenario.schema.json`);
 * this is the parsed form.
 */

export const RUNTIME_HINTS = ['tiny', 'small', 'full'] as const;
export type RuntimeHint = (typeof RUNTIME_HINTS)[number];

/** Engine parts a scenario exercises; also the names of a run's component cards. */
export const COMPONENTS = ['tagger', 'lifters', 'gateway', 'store', 'bus'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** `max`: as fast as possible; `realtime`: event-time gaps become wall-clock gaps; a number: that many times realtime. */
export type Speed = 'max' | 'realtime' | number;

export interface ScenarioParams {
  /** Ticks the run processes; null: as many as the steps need (ceil(steps / eventsPerTick)). */
  ticksTotal: number | null;
  /** Steps per tick (≥ 1). */
  eventsPerTick: number;
  speed: Speed;
  metricsEnabled: boolean;
  loggingEnabled: boolean;
}

/** What a correct system says about one step; absent means the step is unlabelled. */
export interface Expectation {
  /** Technique ids (`T1003` or `T1003.008`) the step should be tagged with; [] = benign. */
  techniques: string[];
  /** For gateway requests: the decision the gateway should reach; null = not labelled. */
  decision: RequestStatus | null;
}

interface StepBase {
  /** 0-based position in the scenario after ordering by virtual time (stable). */
  index: number;
  /** Virtual event time. */
  at: Date;
  expect: Expectation | null;
  /** Where the step came from, for messages: `scenarios/x.yaml events[3]` or `scenarios/x.jsonl:12`. */
  origin: string;
}

/** An event to ingest (any source kind); `sourceId` defaults to `<scenario id>-<n>` when the file omits it. */
export interface EventStep extends StepBase {
  type: 'event';
  event: EventInput & { occurredAt: Date };
}

/** A gateway request, decided in dry-run. The simulated agent token is bound to `tokenAgent`/`tokenRoles`. */
export interface RequestStep extends StepBase {
  type: 'request';
  request: GatewayRequestInput;
  /** Identity of the simulated agent token (default: the request's own agent and role). */
  tokenAgent: string;
  tokenRoles: string[];
}

export type ScenarioStep = EventStep | RequestStep;

export interface Scenario {
  id: string;
  name: string;
  description: string;
  tags: string[];
  runtimeHint: RuntimeHint;
  components: ComponentName[];
  params: ScenarioParams;
  /** Name of a governance preset (scenarios/presets/governance.yaml or built-in); null: the current governance. */
  governancePreset: string | null;
  /** When true, an unlabelled step is taken to expect nothing (its tags count as false positives). */
  labelsComplete: boolean;
  /** Origin of the virtual clock: steps' `at` offsets count from here. */
  startAt: Date;
  steps: ScenarioStep[];
  /** Path of the YAML file relative to the scenarios folder. */
  sourcePath: string;
  /** The events file relative to the scenarios folder, when the steps come from one. */
  eventsFile: string | null;
  /** SHA-256 over the YAML text, the events file text and the overlay (canonical JSON): frozen by each run. */
  hash: string;
  /** True when a database overlay changed any field. */
  overlaid: boolean;
}

/** Fields `updateScenario` may change (issue #5 §1: "allowed fields only"); stored as an overlay. */
export interface ScenarioOverlay {
  name?: string;
  description?: string;
  tags?: string[];
  runtimeHint?: RuntimeHint;
  governancePreset?: string | null;
  labelsComplete?: boolean;
  params?: Partial<ScenarioParams>;
}

/** A scenario file that did not load; the last good version (if any) stays available. */
export interface ScenarioLoadError {
  /** Path relative to the scenarios folder. */
  path: string;
  scenarioId: string | null;
  problems: string[];
}
