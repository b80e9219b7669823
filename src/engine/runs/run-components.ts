import { COMPONENTS, type ComponentName } from '../scenarios/scenario.ts';
import type { ExecutionStats } from './run-executor.ts';

/** One engine part during a run: whether it is healthy, how busy it was and its headline figure. */
export interface ComponentCard {
  name: ComponentName;
  /** OK: worked without trouble; DEGRADED: worked with errors; IDLE: listed but had nothing to do; OFF: not exercised by the scenario. */
  status: 'OK' | 'DEGRADED' | 'IDLE' | 'OFF';
  /** Share of the run's busy wall time spent in this part (0..1); null where not measured separately. */
  load: number | null;
  headline: string;
  value: number;
}

const share = (ms: number, busy: number) => (busy > 0 ? Math.min(1, Math.round((ms / busy) * 1000) / 1000) : 0);
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/**
 * The component cards of a run (issue #5 §7) from its execution figures. Tagging and storing events
 * happen in one commit, so the tagger's load includes the event writes; `store` is the run's own
 * rows (step results, logs).
 */
export function componentCards(input: { listed: readonly ComponentName[]; stats: ExecutionStats; lifterErrors: number; logRows: number; messages: number; lifterRules: number }): ComponentCard[] {
  const { stats } = input;
  const eps = stats.busyMs > 0 ? Math.round((stats.events * 1000) / stats.busyMs) : 0;
  const cards: Record<ComponentName, Omit<ComponentCard, 'status'> & { worked: boolean; troubled: boolean }> = {
    tagger: { name: 'tagger', load: share(stats.ingestMs, stats.busyMs), headline: `${plural(stats.events, 'event')}, ${plural(stats.tags, 'tag')}, ${eps.toLocaleString('en-US')} events/s`, value: stats.events, worked: stats.events > 0, troubled: false },
    lifters: { name: 'lifters', load: null, headline: input.lifterErrors > 0 ? `${plural(input.lifterErrors, 'lifter error')} or timeouts` : `${plural(input.lifterRules, 'lifter rule')}, no errors`, value: input.lifterErrors, worked: input.lifterRules > 0 && stats.events > 0, troubled: input.lifterErrors > 0 },
    gateway: { name: 'gateway', load: share(stats.submitMs, stats.busyMs), headline: `${plural(stats.requests, 'request')}, ${stats.denied.toLocaleString('en-US')} denied`, value: stats.requests, worked: stats.requests > 0, troubled: false },
    store: { name: 'store', load: share(stats.storeMs, stats.busyMs), headline: `${plural(stats.stepRows + input.logRows, 'row')} written (${stats.stepRows.toLocaleString('en-US')} step results, ${input.logRows.toLocaleString('en-US')} log entries)`, value: stats.stepRows + input.logRows, worked: stats.stepRows > 0, troubled: false },
    bus: { name: 'bus', load: null, headline: `${plural(input.messages, 'message')} published`, value: input.messages, worked: input.messages > 0, troubled: false },
  };
  return COMPONENTS.map((name) => {
    const { worked, troubled, ...card } = cards[name];
    const status = !input.listed.includes(name) && !worked ? 'OFF' : troubled ? 'DEGRADED' : worked ? 'OK' : 'IDLE';
    return { ...card, status };
  });
}
