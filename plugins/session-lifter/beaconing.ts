import { createEventTimeWindow, defineLifter, type EventTimeWindow, type LifterFinding, type PluginEvent } from '../../src/plugins/api.ts';
import { intervalStats } from './interval-stats.ts';
import { createParamReader } from './params.ts';
import { createPerRuleState } from './rule-state.ts';

/** Rule kind owned by {@link beaconingLifter}. */
export const BEACONING_KIND = 'lifter:beaconing';

/** What groups events into one series: the attacker, the source address, the host or the session. */
export const BEACON_KEYS = ['attacker', 'src_ip', 'host', 'session'] as const;
export type BeaconKey = (typeof BEACON_KEYS)[number];

export interface BeaconingParams {
  /** Events needed in the window before regularity is judged (at least 3: two intervals). */
  readonly minEvents: number;
  /** Largest coefficient of variation of the intervals that still counts as periodic. */
  readonly maxJitterCv: number;
  readonly windowMinutes: number;
  /** Mean interval below which a series is a burst (a scanner), not a beacon. */
  readonly minIntervalSeconds: number;
  readonly keyBy: BeaconKey;
  readonly maxTrackedKeys: number;
}

const PARAMS = ['min_events', 'max_jitter_cv', 'window_minutes', 'min_interval_seconds', 'key_by', 'max_tracked_keys'];

/** Parses the rule's parameters; `min_events`, `max_jitter_cv` and `window_minutes` are required. */
export function parseBeaconingParams(params: Readonly<Record<string, unknown>>, kind: string): BeaconingParams {
  const reader = createParamReader(kind, params, PARAMS);
  const parsed: BeaconingParams = {
    minEvents: reader.integer('min_events', { min: 3, max: 100_000 }),
    maxJitterCv: reader.number('max_jitter_cv', { above: 0, max: 2 }),
    windowMinutes: reader.number('window_minutes', { above: 0, max: 10_080 }),
    minIntervalSeconds: reader.number('min_interval_seconds', { above: 0, max: 86_400 }, 1),
    keyBy: reader.oneOf('key_by', BEACON_KEYS, 'attacker'),
    maxTrackedKeys: reader.integer('max_tracked_keys', { min: 1, max: 1_000_000 }, 10_000),
  };
  reader.done();
  return parsed;
}

/** Newest event times judged per series: enough for a steady estimate, small enough to stay cheap. */
const MAX_SAMPLES = 512;

function keyValueOf(event: PluginEvent, keyBy: BeaconKey): string | null {
  switch (keyBy) {
    case 'attacker':
      return event.attackerId;
    case 'host':
      return event.host;
    case 'session':
      return event.sessionId;
    case 'src_ip':
      return typeof event.payload.src_ip === 'string' ? event.payload.src_ip : null;
  }
}

interface BeaconState {
  readonly times: EventTimeWindow<string>;
  readonly fired: EventTimeWindow<null>;
}

/**
 * Beaconing: a series of events (per attacker by default, per source kind) at least `min_events`
 * strong inside `window_minutes` whose inter-arrival intervals have a coefficient of variation of at
 * most `max_jitter_cv` and a mean of at least `min_interval_seconds`. That is an implant checking in
 * with its controller on a timer, so the rules emit T1071 Application Layer Protocol under Command
 * and Control (T1071.001 for HTTP): the regular cadence is what betrays the C2 channel. T1029
 * Scheduled Transfer was considered and not used — it describes exfiltration timed to a schedule,
 * and the cadence alone says nothing about data leaving.
 *
 * Handles `session`, `http_request` and `command` events; each rule picks kinds with `applies_to`.
 * Series of different kinds never mix. Fires once per series per window: the series is forgotten
 * and stays quiet for one window. Events arriving out of order are placed by event time.
 */
export const beaconingLifter = defineLifter<BeaconingParams>({
  id: 'session-lifter/beaconing',
  description: 'Low-jitter periodic activity from one attacker, source, host or session (T1071).',
  handles: ['session', 'http_request', 'command'],
  owns: [BEACONING_KIND],
  parseParams: parseBeaconingParams,
  create() {
    const states = createPerRuleState(
      (p: BeaconingParams): BeaconState => ({
        times: createEventTimeWindow<string>({ windowMs: p.windowMinutes * 60_000, maxKeys: p.maxTrackedKeys }),
        fired: createEventTimeWindow<null>({ windowMs: p.windowMinutes * 60_000, maxKeys: p.maxTrackedKeys }),
      }),
    );
    return {
      process({ event, rules }) {
        const findings: LifterFinding[] = [];
        for (const rule of rules) {
          const evidence = observe(states.forRule(rule), rule.params, event);
          if (evidence) findings.push({ ruleId: rule.ruleId, evidence });
        }
        return findings;
      },
    };
  },
});

/** Records one event in its series and returns evidence when the series now looks like a beacon. */
function observe(state: BeaconState, p: BeaconingParams, event: PluginEvent): Record<string, unknown> | null {
  const keyValue = keyValueOf(event, p.keyBy);
  if (keyValue === null) return null;
  const key = JSON.stringify([event.sourceKind, keyValue]);
  const at = event.occurredAt;
  if (state.fired.get(key, at).length > 0) return null;
  if (state.times.get(key, at).some((e) => e.value === event.sourceId)) return null; // same event again
  let list = state.times.add(key, at, event.sourceId);
  if (list.length > MAX_SAMPLES) {
    const kept = list.slice(-MAX_SAMPLES / 2);
    state.times.clear(key);
    for (const e of kept) list = state.times.add(key, new Date(e.at), e.value);
  }
  const windowMs = p.windowMinutes * 60_000;
  const latest = list.at(-1)?.at ?? at.getTime();
  const series = list.filter((e) => e.at > latest - windowMs).map((e) => e.at);
  if (series.length < p.minEvents) return null;
  const stats = intervalStats(series);
  if (stats === null || stats.meanMs < p.minIntervalSeconds * 1000 || stats.cv > p.maxJitterCv) return null;
  state.times.clear(key);
  state.fired.add(key, new Date(latest), null);
  return {
    keyBy: p.keyBy,
    key: keyValue,
    sourceKind: event.sourceKind,
    events: stats.events,
    meanIntervalSeconds: Math.round(stats.meanMs) / 1000,
    intervalCv: Math.round(stats.cv * 10_000) / 10_000,
    maxJitterCv: p.maxJitterCv,
    windowSeconds: Math.round(windowMs / 1000),
    firstAt: new Date(series[0] as number).toISOString(),
    lastAt: new Date(latest).toISOString(),
  };
}
