import type { RunProgress, RunRecord } from './run.ts';

/** A `runProgress` message: the run's state and progress at one moment. */
export interface RunProgressMessage {
  runId: string;
  state: RunRecord['state'];
  endReason: RunRecord['endReason'];
  progress: RunProgress;
  /** When these figures were taken (a coalesced message may be sent up to 250 ms later). */
  at: Date;
}

export const MIN_PROGRESS_INTERVAL_MS = 250;

/**
 * Coalesces progress (issue #5 §5): at most one message per 250 ms while the numbers move (so at most
 * four a second), and always one on a state change and at the end, so a subscriber never misses where
 * a run ended.
 */
export function createProgressCoalescer(publish: (message: RunProgressMessage) => void, now: () => number = Date.now) {
  let lastAt = -Infinity;
  let lastState: string | null = null;
  let pending: RunProgressMessage | null = null;
  let timer: NodeJS.Timeout | undefined;

  const send = (message: RunProgressMessage) => {
    clearTimeout(timer);
    timer = undefined;
    pending = null;
    lastAt = now();
    lastState = message.state;
    publish(message);
  };

  return {
    offer(message: RunProgressMessage) {
      if (message.state !== lastState || now() - lastAt >= MIN_PROGRESS_INTERVAL_MS) return send(message);
      pending = message;
      timer ??= setTimeout(() => pending && send(pending), Math.max(0, MIN_PROGRESS_INTERVAL_MS - (now() - lastAt)));
      timer.unref?.();
    },
    /** Sends what is pending now (the run ended). */
    flush() {
      if (pending) send(pending);
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}

/** Progress from counts and the busy (unpaused) wall time so far. */
export function computeProgress(c: { eventsCompleted: number; eventsTotal: number; ticksCompleted: number; ticksTotal: number; busyMs: number; virtualTime: Date | null; running: boolean }): RunProgress {
  const rate = c.busyMs > 0 ? (c.eventsCompleted * 1000) / c.busyMs : 0;
  const left = c.eventsTotal - c.eventsCompleted;
  return {
    progress: c.eventsTotal === 0 ? (c.ticksTotal === 0 || c.ticksCompleted >= c.ticksTotal ? 1 : 0) : c.eventsCompleted / c.eventsTotal,
    ticksCompleted: c.ticksCompleted,
    ticksTotal: c.ticksTotal,
    eventsCompleted: c.eventsCompleted,
    eventsTotal: c.eventsTotal,
    eventsPerSecond: Math.round(rate * 10) / 10,
    etaSeconds: c.running && rate > 0 && left > 0 ? Math.ceil(left / rate) : c.running && left === 0 ? 0 : null,
    virtualTime: c.virtualTime,
  };
}
