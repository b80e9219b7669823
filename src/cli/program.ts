import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { POLICY_JSON_SCHEMAS, policyJsonSchemaText, type PolicySchemaFile } from '../engine/gateway/policy-schema.ts';
import { ruleJsonSchema } from '../engine/tagging/rule-file-schema.ts';
import { printSortedSchema } from '../schema/index.ts';
import { renderErrorsDoc } from './errors-doc.ts';
import { renderSourceKindsDoc } from './source-kinds-doc.ts';
import { emitGenerated } from './generated-file.ts';
import type { CliIo } from './io.ts';
import { auditVerify } from './audit-verify.ts';
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

  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('check every hash and link of the audit chain (with GATEHOUSE_AUDIT_KEY); exit 1 when it is broken')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      result = { exitCode: await auditVerify(config(), io, options) };
    });

  const schema = program.command('schema').description('the GraphQL schema contract');
  schema
    .command('print')
    .description('print the sorted SDL; --write updates schema.graphql, --check fails when it is stale')
    .option('--write', 'write schema.graphql')
    .option('--check', 'exit 1 if schema.graphql differs from the code')
    .action(async (options: { write?: boolean; check?: boolean }) => {
      result = {
        exitCode: await emitGenerated(io, { path: 'schema.graphql', label: 'schema.graphql', content: printSortedSchema(), regenerate: 'npm run schema:print' }, options),
      };
    });

  schema
    .command('rules')
    .description('print the rule-file JSON Schema; --write updates schemas/rule.schema.json, --check fails when it is stale')
    .option('--write', 'write schemas/rule.schema.json')
    .option('--check', 'exit 1 if schemas/rule.schema.json differs from the code')
    .action(async (options: { write?: boolean; check?: boolean }) => {
      const content = `${JSON.stringify(ruleJsonSchema(), null, 2)}\n`;
      result = {
        exitCode: await emitGenerated(io, { path: 'schemas/rule.schema.json', label: 'schemas/rule.schema.json', content, regenerate: 'npm run schema:rules' }, options),
      };
    });

  schema
    .command('policy')
    .description('print the policy-file JSON Schemas; --write updates schemas/policy-*.schema.json, --check fails when one is stale')
    .option('--write', 'write schemas/policy-*.schema.json')
    .option('--check', 'exit 1 if a schemas/policy-*.schema.json differs from the code')
    .action(async (options: { write?: boolean; check?: boolean }) => {
      const files = Object.keys(POLICY_JSON_SCHEMAS) as PolicySchemaFile[];
      if (!options.write && !options.check) {
        // Four documents: print them as one JSON object keyed by the file each is written to.
        io.out(`${JSON.stringify(Object.fromEntries(files.map((f) => [`schemas/${f}`, JSON.parse(policyJsonSchemaText(f)) as unknown])), null, 2)}\n`);
        result = { exitCode: 0 };
        return;
      }
      let exitCode = 0;
      for (const f of files) {
        const file = { path: `schemas/${f}`, label: `schemas/${f}`, content: policyJsonSchemaText(f), regenerate: 'npm run schema:policy' };
        exitCode = Math.max(exitCode, await emitGenerated(io, file, options));
      }
      result = { exitCode };
    });

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

  const docs = program.command('docs').description('generated documentation');
  docs
    .command('errors')
    .description('print docs/errors.md from the error registry; --write updates it, --check fails when stale')
    .option('--write', 'write docs/errors.md')
    .option('--check', 'exit 1 if docs/errors.md differs from the registry')
    .action(async (options: { write?: boolean; check?: boolean }) => {
      result = {
        exitCode: await emitGenerated(io, { path: 'docs/errors.md', label: 'docs/errors.md', content: renderErrorsDoc(), regenerate: 'npm run docs:errors' }, options),
      };
    });

  docs
    .command('source-kinds')
    .description('print docs/source-kinds.md from the built-in source kinds; --write updates it, --check fails when stale')
    .option('--write', 'write docs/source-kinds.md')
    .option('--check', 'exit 1 if docs/source-kinds.md differs from the code')
    .action(async (options: { write?: boolean; check?: boolean }) => {
      result = {
        exitCode: await emitGenerated(io, { path: 'docs/source-kinds.md', label: 'docs/source-kinds.md', content: renderSourceKindsDoc(), regenerate: 'npm run docs:source-kinds' }, options),
      };
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
