import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { addGeneratedCommands } from './generated-commands.ts';
import type { CliIo } from './io.ts';
import { auditVerify } from './audit-verify.ts';
import { replay } from './replay.ts';
import { backfill } from './backfill.ts';
import { rulesLint } from './rules-lint.ts';
import { rulesTest } from './rules-test.ts';
import { serve } from './serve.ts';
import { tokenCreate, tokenList, tokenRevoke } from './token.ts';

export interface CliResult {
  /** Exit code, or a running server to keep alive until a signal. */
  exitCode?: number;
  server?: { stop: () => Promise<void> };
}

/**
 * The `gatehouse` command. Parses `argv` and runs one subcommand; configuration comes from the
 * environment and `gatehouse.config.yaml` (see docs/configuration.md).
 */
export async function runCli(argv: string[], io: CliIo, env?: Record<string, string | undefined>): Promise<CliResult> {
  let result: CliResult = { exitCode: 0 };
  const config = (): Config => loadConfig(env);
  const program = new Command()
    .name('gatehouse')
    .description('Gatehouse: governs AI agent actions, tags events with ATT&CK techniques, replays scenarios.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('serve', { isDefault: true })
    .description('start the server (GraphQL at /graphql)')
    .action(async () => {
      result = { server: await serve(config(), io) };
    });

  const token = program.command('token').description('manage API tokens (works on the database directly)');
  token
    .command('create')
    .description('create a token and print its secret once')
    .addOption(new Option('--role <role>', 'viewer, operator, admin or agent').makeOptionMandatory())
    .requiredOption('--name <name>', 'what the token is for')
    .option('--agent <agent>', 'agent tokens: the agent identity the token acts as')
    .option('--agent-role <role...>', 'agent tokens: a policy role the agent may act as (repeatable)')
    .option('--json', 'print JSON')
    .action(async (options) => {
      result = { exitCode: await tokenCreate(config(), io, options) };
    });
  token
    .command('list')
    .description('list tokens, newest first')
    .option('--all', 'include revoked tokens')
    .option('--json', 'print JSON')
    .action(async (options) => {
      result = { exitCode: await tokenList(config(), io, options) };
    });
  token
    .command('revoke <id>')
    .description('revoke a token by id')
    .action(async (id: string) => {
      result = { exitCode: await tokenRevoke(config(), io, id) };
    });

  program
    .command('backfill')
    .description('re-tag stored events with the current rules; idempotent, never publishes')
    .requiredOption('--since-days <n>', 'events whose event time is within the last n days')
    .option('--source-kind <kind>', 'only this source kind')
    .option('--dry-run', 'count the tags it would add, write nothing')
    .option('--batch-size <n>', 'events per batch (default 1000)')
    .option('--json', 'print the summary as JSON')
    .action(async (options) => {
      result = { exitCode: await backfill(config(), io, options) };
    });

  program
    .command('replay <scenario>')
    .description('replay a scenario (an id from scenarios/ or a YAML file) headless and print its metrics; thresholds make it a CI gate')
    .option('--speed <speed>', 'max (default), realtime, or a factor of realtime such as 10')
    .option('--preset <name>', 'governance preset instead of the scenario’s')
    .option('--json', 'print the run (with metrics) as JSON')
    .option('--min-recall <x>', 'exit 1 when the overall recall is below x (0..1)')
    .option('--max-false-positives <n>', 'exit 1 when there are more than n false positives')
    .option('--store <dataDir>', 'keep the run in this data directory (default: a throw-away in-memory store)')
    .action(async (scenario: string, options) => {
      result = { exitCode: await replay(config(), io, scenario, options) };
    });

  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('check every hash and link of the audit chain (with GATEHOUSE_AUDIT_KEY); exit 1 when it is broken')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      result = { exitCode: await auditVerify(config(), io, options) };
    });

  const schema = program.command('schema').description('generated contracts: the GraphQL schema and the JSON Schemas of rule and policy files');
  const docs = program.command('docs').description('generated documentation');
  addGeneratedCommands({ schema, docs }, io, (exitCode) => (result = { exitCode }));

  const rules = program.command('rules').description('check and measure the ATT&CK rule pack (see docs/rules.md)');
  rules
    .command('lint')
    .description('report every rule file that would not load or run: schema, ids, RE2, ATT&CK ids, duplicates, lifter ownership')
    .option('--dir <dir>', 'rules directory (default: the project rules/)')
    .option('--json', 'print JSON')
    .action(async (options: { dir?: string; json?: boolean }) => {
      result = { exitCode: await rulesLint(io, options) };
    });
  rules
    .command('test <corpus...>')
    .description('measure the rules against labelled JSONL corpus files; exit 1 when the precision gate fails')
    .option('--dir <dir>', 'rules directory (default: the project rules/)')
    .option('--json', 'print the JSON report instead of tables')
    .option('--out <file>', 'also write the JSON report to this file')
    .option('--lifters', "run lifter rules with the bundled plugins' lifters (rows form one stream, in file order)")
    .action(async (corpus: string[], options: { dir?: string; json?: boolean; out?: string; lifters?: boolean }) => {
      result = { exitCode: await rulesTest(io, corpus, options) };
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { exitCode?: number; code?: string }).exitCode;
    if (typeof code === 'number') return { exitCode: code };
    throw err;
  }
  return result;
}
