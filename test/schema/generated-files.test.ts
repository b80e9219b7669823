import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from '../../src/cli/errors-doc.ts';
import { renderSourceKindsDoc } from '../../src/cli/source-kinds-doc.ts';
import { ERROR_CODES } from '../../src/engine/errors.ts';
import { POLICY_JSON_SCHEMAS, policyJsonSchemaText, type PolicySchemaFile } from '../../src/engine/gateway/policy-schema.ts';
import { ruleJsonSchema } from '../../src/engine/tagging/rule-file-schema.ts';
import { printSortedSchema } from '../../src/schema/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('generated, committed files', () => {
  it('has a committed schema.graphql identical to the schema the code builds (run `npm run schema:print`)', () => {
    expect(readFileSync(path.join(ROOT, 'schema.graphql'), 'utf8')).toBe(printSortedSchema());
  });

  it('prints the schema with types in lexicographic order', () => {
    const names = [...printSortedSchema().matchAll(/^(?:type|input|enum|interface|scalar|union) (\w+)/gm)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThan(10);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('has a committed schemas/rule.schema.json identical to the rule-file schema (run `npm run schema:rules`)', () => {
    expect(readFileSync(path.join(ROOT, 'schemas/rule.schema.json'), 'utf8')).toBe(`${JSON.stringify(ruleJsonSchema(), null, 2)}\n`);
  });

  it('has committed schemas/policy-*.schema.json identical to the policy-file schemas (run `npm run schema:policy`)', () => {
    for (const file of Object.keys(POLICY_JSON_SCHEMAS) as PolicySchemaFile[]) {
      expect(readFileSync(path.join(ROOT, 'schemas', file), 'utf8'), file).toBe(policyJsonSchemaText(file));
    }
  });

  it('has a committed docs/errors.md identical to the error registry (run `npm run docs:errors`)', () => {
    expect(readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8')).toBe(renderErrorsDoc());
  });

  it('has a committed docs/source-kinds.md identical to the built-in source kinds (run `npm run docs:source-kinds`)', () => {
    expect(readFileSync(path.join(ROOT, 'docs/source-kinds.md'), 'utf8')).toBe(renderSourceKindsDoc());
  });

  it('lists every registered code with its details keys in docs/errors.md', () => {
    const doc = renderErrorsDoc();
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(doc).toContain(`| \`${code}\` | ${entry.meaning} |`);
      for (const key of entry.details) expect(doc).toContain(`\`${key}\``);
    }
  });
});
