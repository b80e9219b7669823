import { badInput } from '../errors.ts';
import { effectiveRuleState, RULE_STATES, type EffectiveRuleState, type RuleState, type RuleStateLookup, type RuleStateName } from './rule-state.ts';
import type { RuleStateStore } from './tag-store.ts';

/** Published on `ruleStateChanged` whenever a rule's effective state changes. */
export interface RuleStateChange {
  ruleId: string;
  cause: 'set' | 'clear' | 'expired';
  effective: EffectiveRuleState;
  stored: RuleState | null;
  at: Date;
}

export interface SetRuleStateInput {
  ruleId: string;
  state: RuleStateName;
  confidenceMax?: number | null;
  expiresAt?: Date | null;
  reason?: string | null;
}

export interface RuleStateService extends RuleStateLookup {
  load(): Promise<void>;
  get(ruleId: string): RuleState | undefined;
  set(input: SetRuleStateInput, setBy: string | null): Promise<RuleState>;
  /** Returns false when the rule had no stored state. */
  clear(ruleId: string, by: string | null): Promise<boolean>;
  dispose(): void;
}

/** setTimeout's ceiling; longer expiries re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Rule state held in memory for the hot path (one map lookup per rule per event), persisted through
 * the store, and reverted by a timer when it expires (DESIGN §6: an expiry reverts a rule to enabled
 * and says so — it never silences it).
 */
export function createRuleStateService(deps: {
  store: RuleStateStore;
  publish(change: RuleStateChange): void;
  now?: () => Date;
}): RuleStateService {
  const now = deps.now ?? (() => new Date());
  const states = new Map<string, RuleState>();
  const timers = new Map<string, NodeJS.Timeout>();

  const arm = (state: RuleState) => {
    clearTimeout(timers.get(state.ruleId));
    timers.delete(state.ruleId);
    if (!state.expiresAt) return;
    const wait = Math.min(Math.max(state.expiresAt.getTime() - now().getTime(), 0), MAX_TIMER_MS);
    const timer = setTimeout(() => void expire(state), wait);
    timer.unref();
    timers.set(state.ruleId, timer);
  };

  const expire = async (state: RuleState) => {
    if (states.get(state.ruleId) !== state) return;
    if (state.expiresAt && state.expiresAt.getTime() > now().getTime()) return arm(state);
    states.delete(state.ruleId);
    timers.delete(state.ruleId);
    await deps.store.remove(state.ruleId, null, 'expired').catch(() => false);
    deps.publish({ ruleId: state.ruleId, cause: 'expired', effective: effectiveRuleState(undefined, now()), stored: null, at: now() });
  };

  return {
    /** Reads every stored state; also a re-read (another instance changed one): states gone from the store are dropped. */
    async load() {
      const stored = await deps.store.all();
      const present = new Set(stored.map((s) => s.ruleId));
      for (const ruleId of [...states.keys()]) {
        if (present.has(ruleId)) continue;
        states.delete(ruleId);
        clearTimeout(timers.get(ruleId));
        timers.delete(ruleId);
      }
      for (const state of stored) {
        states.set(state.ruleId, state);
        arm(state);
      }
    },
    effective(ruleId) {
      return effectiveRuleState(states.get(ruleId), now());
    },
    get(ruleId) {
      return states.get(ruleId);
    },
    async set(input, setBy) {
      if (!RULE_STATES.includes(input.state)) throw badInput('state', `must be one of ${RULE_STATES.join(', ')}, got ${JSON.stringify(input.state)}`);
      const confidenceMax = input.confidenceMax ?? null;
      if (input.state === 'clipped') {
        if (confidenceMax === null || !(confidenceMax >= 0 && confidenceMax <= 1)) {
          throw badInput('confidenceMax', `a clipped rule needs confidenceMax between 0 and 1, got ${JSON.stringify(confidenceMax)}`);
        }
      } else if (confidenceMax !== null) {
        throw badInput('confidenceMax', `only a clipped rule takes confidenceMax; state is ${input.state}`);
      }
      const at = now();
      if (input.expiresAt && input.expiresAt.getTime() <= at.getTime()) {
        throw badInput('expiresAt', `must be in the future, got ${input.expiresAt.toISOString()}`);
      }
      const reason = input.reason?.trim() || null;
      if (reason && reason.length > 1000) throw badInput('reason', 'must be at most 1000 characters');
      const state: RuleState = { ruleId: input.ruleId, state: input.state, confidenceMax, expiresAt: input.expiresAt ?? null, reason, setBy, setAt: at };
      await deps.store.put(state);
      states.set(state.ruleId, state);
      arm(state);
      deps.publish({ ruleId: state.ruleId, cause: 'set', effective: effectiveRuleState(state, at), stored: state, at });
      return state;
    },
    async clear(ruleId, by) {
      const removed = await deps.store.remove(ruleId, by, null);
      const had = states.delete(ruleId) || removed;
      clearTimeout(timers.get(ruleId));
      timers.delete(ruleId);
      if (had) deps.publish({ ruleId, cause: 'clear', effective: effectiveRuleState(undefined, now()), stored: null, at: now() });
      return had;
    },
    dispose() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
