import { ConfigError } from './config.ts';
import { runCli } from './cli/program.ts';

/**
 * Process entry (DESIGN §4): the only module that touches argv, signals and process.exit.
 * SIGTERM/SIGINT stop the server gracefully; a second signal, or the 10 s deadline, exits at once.
 */
const io = { out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };
const EXIT_DEADLINE_MS = 10_000;

try {
  const result = await runCli(process.argv.slice(2), io);
  if (result.server) {
    const server = result.server;
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(1);
      stopping = true;
      io.err(`received ${signal}, shutting down\n`);
      setTimeout(() => process.exit(1), EXIT_DEADLINE_MS).unref();
      server.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          io.err(`shutdown failed: ${(err as Error).stack ?? err}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  } else {
    process.exitCode = result.exitCode ?? 0;
  }
} catch (err) {
  if (err instanceof ConfigError || (err as Error)?.name === 'PluginLoadError') {
    io.err(`gatehouse: ${(err as Error).message}\n`);
    process.exit(2);
  }
  io.err(`gatehouse: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
}
