/**
 * The contract between a bench server process and `bench/lib/child-server.ts`: once listening,
 * the child writes one JSON line `{"port":N}` on stdout; on SIGTERM or SIGINT, or when its stdin
 * closes (the parent went away without signalling), it runs `stop` and exits.
 */
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
  process.stdin.on('end', () => shutdown(0));
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}
