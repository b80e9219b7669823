import { createApp } from '../app.ts';
import type { Config } from '../config.ts';
import type { CliIo } from './io.ts';

/**
 * `gatehouse serve`: starts the server and prints where it is. Resolves with a `stop` function
 * for the caller's signal handlers.
 */
export async function serve(config: Config, io: CliIo): Promise<{ stop: () => Promise<void> }> {
  const app = createApp(config);
  const started = await app.start();
  const lines = [`Gatehouse ${config.mode} server on ${started.url}`];
  if (config.graphiql) lines.push(`GraphiQL: open ${started.url} in a browser`);
  if (started.adminToken) {
    lines.push(
      '',
      'First start: created an admin API token. It is shown once here and saved (mode 0600) to',
      `  ${started.adminToken.file}`,
      '',
      `  ${started.adminToken.secret}`,
      '',
      `Try: curl -s ${started.url} -H "Authorization: Bearer $(cat ${started.adminToken.file})" \\`,
      `       -H 'content-type: application/json' -d '{"query":"{ readiness { state } }"}'`,
    );
  }
  io.out(`${lines.join('\n')}\n`);
  return { stop: () => app.stop() };
}
