import type { Command } from 'commander';
import { POLICY_JSON_SCHEMAS, policyJsonSchemaText, type PolicySchemaFile } from '../engine/gateway/policy-schema.ts';
import { ruleJsonSchema } from '../engine/tagging/rule-file-schema.ts';
import { governancePresetsJsonSchema } from '../engine/scenarios/governance-presets.ts';
import { scenarioJsonSchema } from '../engine/scenarios/scenario-file-schema.ts';
import { printSortedSchema } from '../schema/index.ts';
import { renderErrorsDoc } from './errors-doc.ts';
import { emitGenerated } from './generated-file.ts';
import type { CliIo } from './io.ts';
import { renderSourceKindsDoc } from './source-kinds-doc.ts';

/**
 * Every generated, committed file (CONVENTIONS "Comments and docs"): each is printed by its command,
 * written with `--write` and checked with `--check` (and by test/schema/generated-files.test.ts).
 */
interface GeneratedSet {
  group: 'schema' | 'docs';
  name: string;
  what: string;
  regenerate: string;
  files(): { path: string; content: string }[];
}

export const GENERATED_SETS: readonly GeneratedSet[] = [
  { group: 'schema', name: 'print', what: 'the sorted GraphQL SDL', regenerate: 'npm run schema:print', files: () => [{ path: 'schema.graphql', content: printSortedSchema() }] },
  {
    group: 'schema',
    name: 'rules',
    what: 'the rule-file JSON Schema',
    regenerate: 'npm run schema:rules',
    files: () => [{ path: 'schemas/rule.schema.json', content: `${JSON.stringify(ruleJsonSchema(), null, 2)}\n` }],
  },
  {
    group: 'schema',
    name: 'policy',
    what: 'the policy-file JSON Schemas',
    regenerate: 'npm run schema:policy',
    files: () => (Object.keys(POLICY_JSON_SCHEMAS) as PolicySchemaFile[]).map((f) => ({ path: `schemas/${f}`, content: policyJsonSchemaText(f) })),
  },
  {
    group: 'schema',
    name: 'scenarios',
    what: 'the scenario-file and governance-presets JSON Schemas',
    regenerate: 'npm run schema:scenarios',
    files: () => [
      { path: 'schemas/scenario.schema.json', content: `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n` },
      { path: 'schemas/governance-presets.schema.json', content: `${JSON.stringify(governancePresetsJsonSchema(), null, 2)}\n` },
    ],
  },
  { group: 'docs', name: 'errors', what: 'docs/errors.md from the error registry', regenerate: 'npm run docs:errors', files: () => [{ path: 'docs/errors.md', content: renderErrorsDoc() }] },
  {
    group: 'docs',
    name: 'source-kinds',
    what: 'docs/source-kinds.md from the built-in source kinds',
    regenerate: 'npm run docs:source-kinds',
    files: () => [{ path: 'docs/source-kinds.md', content: renderSourceKindsDoc() }],
  },
];

/** Adds one subcommand per generated set under `parents[group]`; `done` receives the exit code. */
export function addGeneratedCommands(parents: Record<GeneratedSet['group'], Command>, io: CliIo, done: (exitCode: number) => void): void {
  for (const set of GENERATED_SETS) {
    parents[set.group]
      .command(set.name)
      .description(`print ${set.what}; --write updates the committed file(s), --check fails when one is stale`)
      .option('--write', 'write the file(s)')
      .option('--check', 'exit 1 if a committed file differs from the code')
      .action(async (options: { write?: boolean; check?: boolean }) => {
        const files = set.files();
        if (!options.write && !options.check && files.length > 1) {
          for (const f of files) io.out(`== ${f.path} ==\n${f.content}`);
          return done(0);
        }
        let exitCode = 0;
        for (const f of files) exitCode = Math.max(exitCode, await emitGenerated(io, { path: f.path, label: f.path, content: f.content, regenerate: set.regenerate }, options));
        done(exitCode);
      });
  }
}
