import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_SETS } from '../../src/cli/generated-commands.ts';
import { renderErrorsDoc } from '../../src/cli/errors-doc.ts';
import { ERROR_CODES } from '../../src/engine/errors.ts';
import { printSortedSchema } from '../../src/schema/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('generated, committed files', () => {
  it('covers the schema, the rule and policy JSON Schemas and the generated docs', () => {
    const paths = GENERATED_SETS.flatMap((set) => set.files().map((f) => f.path));
    expect(paths).toEqual(expect.arrayContaining(['schema.graphql', 'schemas/rule.schema.json', 'schemas/policy-specs.schema.json', 'docs/errors.md', 'docs/source-kinds.md']));
  });

  for (const set of GENERATED_SETS) {
    it(`has committed ${set.what} identical to what the code generates (run \`${set.regenerate}\`)`, () => {
      for (const file of set.files()) expect(readFileSync(path.join(ROOT, file.path), 'utf8'), file.path).toBe(file.content);
    });
  }

  it('prints the schema with types in lexicographic order', () => {
    const names = [...printSortedSchema().matchAll(/^(?:type|input|enum|interface|scalar|union) (\w+)/gm)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThan(10);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('lists every registered code with its details keys in docs/errors.md', () => {
    const doc = renderErrorsDoc();
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(doc).toContain(`| \`${code}\` | ${entry.meaning} |`);
      for (const key of entry.details) expect(doc).toContain(`\`${key}\``);
    }
  });
});
