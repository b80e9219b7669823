/**
 * The contract between a bench server process and `bench/lib/child-server.ts`. Once listening, the
 * child writes one JSON line `{"port":N}` on stdout (plus `"adminToken"` when the server has one).
 * Over the IPC channel it answers the message `"cpu-usage"` with a {@link CpuUsageReply}
 * (`process.cpuUsage()` in microseconds; resident memory now and at its peak; heap + external), so
 * the parent can charge CPU time and memory to a run. `"settled-usage"` gets the same reply after a
 * full garbage collection when the child runs with `--expose-gc` (steadier memory figures). On
 * SIGTERM or SIGINT, or when the IPC channel closes (the parent went away without signalling), it
 * runs `stop` and exits.
 */
export const CPU_USAGE_REQUEST = 'cpu-usage';
export const SETTLED_USAGE_REQUEST = 'settled-usage';

export interface CpuUsageReply {
  cpuUsage: NodeJS.CpuUsage;
  rssBytes: number;
  maxRssBytes: number;
  /** V8 heap in use plus memory outside it held by JS objects (Buffers, native bindings). */
  heapAndExternalBytes: number;
}

export function announceAndServeUntilTerminated(port: number, stop: () => Promise<void>, extra: { adminToken?: string } = {}): void {
  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    stop()
      .catch((err: unknown) => {
        process.stderr.write(`bench server: stop failed: ${String(err)}\n`);
        code = 1;
      })
      .finally(() => process.exit(code));
  };
  process.once('SIGTERM', () => shutdown(0));
  process.once('SIGINT', () => shutdown(0));
  process.once('disconnect', () => shutdown(0));
  process.on('message', (message) => {
    if (message !== CPU_USAGE_REQUEST && message !== SETTLED_USAGE_REQUEST) return;
    if (message === SETTLED_USAGE_REQUEST) (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    const reply: CpuUsageReply = {
      cpuUsage: process.cpuUsage(),
      rssBytes: memory.rss,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapAndExternalBytes: memory.heapUsed + memory.external,
    };
    process.send?.(reply);
  });
  process.stdout.write(`${JSON.stringify({ port, ...extra })}\n`);
}
