/**
 * The commands a running replay obeys (issue #5 §3), checked at tick boundaries: pause, resume,
 * step N ticks while paused, and stop. The executor calls `gate()` before each tick; a pacing wait
 * calls `sleep()`, which a command cuts short so the executor reacts at once.
 */
export interface RunControl {
  pause(): void;
  resume(): void;
  /** While paused: let `ticks` more ticks run, then pause again. */
  step(ticks: number): void;
  stop(): void;
  readonly stopping: boolean;
  readonly paused: boolean;
  /** True while a step budget is being spent. */
  readonly stepping: boolean;
  /** Resolves 'go' when one more tick may run, 'stop' when the run must end. */
  gate(): Promise<'go' | 'stop'>;
  /** Ticks that may run before the next `gate()` without asking again (Infinity while running). */
  ticksAllowed(): number;
  /** Records ticks run under a step budget. */
  spend(ticks: number): void;
  /** Waits `ms`, or less if a command arrives; true when it waited the whole time. */
  sleep(ms: number): Promise<boolean>;
  /** Called on every state change (pause, resume, step start and end). */
  onChange(listener: () => void): void;
}

export function createRunControl(options: { startPaused?: boolean } = {}): RunControl {
  let paused = options.startPaused ?? false;
  let stopping = false;
  let budget = 0;
  let wake: (() => void) | null = null;
  const listeners: (() => void)[] = [];
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
    for (const l of listeners) l();
  };
  const waitForCommand = () => new Promise<void>((resolve) => (wake = resolve));

  return {
    pause() {
      if (paused || stopping) return;
      paused = true;
      budget = 0;
      notify();
    },
    resume() {
      if (!paused) return;
      paused = false;
      budget = 0;
      notify();
    },
    step(ticks) {
      if (!paused) return;
      budget += ticks;
      notify();
    },
    stop() {
      stopping = true;
      notify();
    },
    get stopping() {
      return stopping;
    },
    get paused() {
      return paused;
    },
    get stepping() {
      return paused && budget > 0;
    },
    async gate() {
      for (;;) {
        if (stopping) return 'stop';
        if (!paused || budget > 0) return 'go';
        await waitForCommand();
      }
    },
    ticksAllowed: () => (paused ? budget : Number.POSITIVE_INFINITY),
    spend(ticks) {
      if (!paused) return;
      budget = Math.max(0, budget - ticks);
      if (budget === 0) for (const l of listeners) l();
    },
    async sleep(ms) {
      if (ms <= 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms))),
        waitForCommand().then(() => false),
      ]);
      clearTimeout(timer);
      return done;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
