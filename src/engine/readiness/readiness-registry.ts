import type { ProbeResult, Readiness, ReadinessProbe, ReadinessState, SubsystemReport, ReadinessHint } from './readiness.ts';

/**
 * Holds the probes every capability registers and aggregates them (issue #2 §8). `refresh()` runs
 * all probes concurrently, each under a timeout, and says whether anything a client can see changed,
 * so the caller publishes `readinessChanged` only on change.
 */
export interface ReadinessRegistry {
  register(probe: ReadinessProbe): void;
  refresh(): Promise<{ readiness: Readiness; changed: boolean }>;
  /** The last result, or null before the first refresh. */
  current(): Readiness | null;
}

export function createReadinessRegistry(options: { probeTimeoutMs?: number } = {}): ReadinessRegistry {
  const timeoutMs = options.probeTimeoutMs ?? 2000;
  const probes: ReadinessProbe[] = [];
  let last: Readiness | null = null;
  let lastSignature = '';

  const run = async (probe: ReadinessProbe): Promise<ProbeResult> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(() => probe.check()),
        new Promise<ProbeResult>((resolve) => {
          timer = setTimeout(() => resolve({ status: 'DOWN', reason: `probe timed out after ${timeoutMs} ms` }), timeoutMs);
        }),
      ]);
    } catch (err) {
      return { status: 'DOWN', reason: `probe failed: ${(err as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    register(probe) {
      if (probes.some((p) => p.name === probe.name)) {
        throw new Error(`readiness probe '${probe.name}' is already registered`);
      }
      probes.push(probe);
    },
    async refresh() {
      const results = await Promise.all(probes.map(run));
      const subsystems: SubsystemReport[] = [];
      const hints: ReadinessHint[] = [];
      let state: ReadinessState = 'READY';
      probes.forEach((probe, i) => {
        const result = results[i] as ProbeResult;
        subsystems.push({ name: probe.name, status: result.status, reason: result.reason ?? null });
        hints.push(...(result.hints ?? []));
        if (result.status === 'DOWN' && probe.critical) state = 'UNAVAILABLE';
        else if (result.status !== 'UP' && state === 'READY') state = 'DEGRADED';
      });
      subsystems.sort((a, b) => a.name.localeCompare(b.name));
      const readiness: Readiness = { state, checkedAt: new Date(), subsystems, hints };
      const signature = JSON.stringify([state, subsystems, hints]);
      const changed = signature !== lastSignature;
      lastSignature = signature;
      last = readiness;
      return { readiness, changed };
    },
    current() {
      return last;
    },
  };
}
