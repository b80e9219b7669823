/**
 * The contract between a bench server process and `bench/lib/child-server.ts`. Once listening, the
 * child writes one JSON line `{"port":N}` on stdout. Over the IPC channel it answers the message
 * `"cpu-usage"` with `{ cpuUsage: process.cpuUsage() }` (microseconds), so the parent can charge
 * CPU time to a load run. On SIGTERM or SIGINT, or when the IPC channel closes (the parent went
 * away without signalling), it runs `stop` and exits.
 */
export const CPU_USAGE_REQUEST = 'cpu-usage';

export interface CpuUsageReply {
  cpuUsage: NodeJS.CpuUsage;
}

export function announceAndServeUntilTerminated(port: number, stop: () => Promise<void>): void {
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
    if (message === CPU_USAGE_REQUEST) process.send?.({ cpuUsage: process.cpuUsage() } satisfies CpuUsageReply);
  });
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}
