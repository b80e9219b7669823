import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Enforces the dependency direction of DESIGN §4 by reading import lines: the engine imports
 * nothing above it, MikroORM stays in persistence, GraphQL stays in schema/server, plugins see
 * only the plugin API, and process-level globals stay in their one module.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|js|mjs)$/.test(name) ? [rel] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

interface ImportRef {
  file: string;
  spec: string;
  /** Repository-relative target for relative imports, else null (a package). */
  target: string | null;
}

function importsOf(file: string): ImportRef[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2] ?? m[3]) as string;
    const target = spec.startsWith('.') ? path.normalize(path.join(path.dirname(file), spec)) : null;
    return { file, spec, target };
  });
}

const ALL = [...sourceFiles('src'), ...sourceFiles('plugins')];
const IMPORTS = ALL.flatMap(importsOf);

const isPackage = (ref: ImportRef, ...prefixes: string[]) => ref.target === null && prefixes.some((p) => ref.spec === p || ref.spec.startsWith(`${p}/`) || ref.spec.startsWith(p));
const under = (p: string | null, dir: string) => p !== null && (p === dir || p.startsWith(`${dir}/`) || p.startsWith(`${dir}.`));
const violations = (filter: (ref: ImportRef) => boolean) => IMPORTS.filter(filter).map((r) => `${r.file} imports ${r.spec}`);

const GRAPHQL_PACKAGES = ['graphql', '@pothos/', 'graphql-yoga', '@graphql-yoga/', 'graphql-ws', '@escape.tech/', '@envelop/'];

describe('architecture', () => {
  it('recognises static, re-export, side-effect and dynamic imports', () => {
    const sample = `import a from './a.ts';\nexport { b } from "../b.ts";\nimport './c.ts';\nconst d = await import('d-pkg');\nimport type { E } from '@mikro-orm/core';`;
    expect([...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3])).toEqual(['./a.ts', '../b.ts', './c.ts', 'd-pkg', '@mikro-orm/core']);
  });

  it('finds the source files it checks', () => {
    expect(ALL.length).toBeGreaterThan(20);
    expect(IMPORTS.length).toBeGreaterThan(50);
  });

  it('keeps the engine free of GraphQL, MikroORM, ws and every layer above it (but the plugin API contract)', () => {
    expect(
      violations(
        (r) =>
          under(r.file, 'src/engine') &&
          (isPackage(r, ...GRAPHQL_PACKAGES, '@mikro-orm/', 'ws', 'pino') || (r.target !== null && !under(r.target, 'src/engine') && r.target !== 'src/plugins/api.ts')),
      ),
    ).toEqual([]);
  });

  it('keeps the plugin API a leaf that the engine may use for its contract types', () => {
    expect(violations((r) => r.file === 'src/plugins/api.ts')).toEqual([]);
  });

  it('keeps MikroORM inside src/persistence', () => {
    expect(violations((r) => isPackage(r, '@mikro-orm/') && !under(r.file, 'src/persistence'))).toEqual([]);
  });

  it('lets persistence depend only on the engine', () => {
    expect(
      violations(
        (r) =>
          under(r.file, 'src/persistence') &&
          (isPackage(r, ...GRAPHQL_PACKAGES, 'ws') || (r.target !== null && !under(r.target, 'src/persistence') && !under(r.target, 'src/engine'))),
      ),
    ).toEqual([]);
  });

  it('keeps resolvers plain: engine calls only, no Pothos, GraphQL server or storage', () => {
    expect(
      violations(
        (r) =>
          under(r.file, 'src/resolvers') &&
          (isPackage(r, ...GRAPHQL_PACKAGES, '@mikro-orm/', 'ws') ||
            (r.target !== null && !under(r.target, 'src/resolvers') && !under(r.target, 'src/engine'))),
      ),
    ).toEqual([]);
  });

  it('keeps the schema layer away from transports and storage', () => {
    expect(
      violations(
        (r) =>
          under(r.file, 'src/schema') &&
          (isPackage(r, 'ws', 'graphql-ws', 'graphql-yoga') ||
            (r.target !== null && !['src/schema', 'src/resolvers', 'src/engine'].some((d) => under(r.target, d)))),
      ),
    ).toEqual([]);
  });

  it('keeps the server layer away from storage and the composition root', () => {
    expect(
      violations(
        (r) => under(r.file, 'src/server') && (isPackage(r, '@mikro-orm/') || (r.target !== null && (under(r.target, 'src/persistence') || under(r.target, 'src/app') || under(r.target, 'src/cli')))),
      ),
    ).toEqual([]);
  });

  it('lets only the CLI and main know the composition root, and nobody import main', () => {
    expect(violations((r) => under(r.target, 'src/app') && !under(r.file, 'src/cli') && r.file !== 'src/main.ts')).toEqual([]);
    expect(violations((r) => under(r.target, 'src/main'))).toEqual([]);
  });

  it('lets bundled plugins import nothing from src/ but the plugin API', () => {
    expect(violations((r) => under(r.file, 'plugins') && r.target !== null && under(r.target, 'src') && r.target !== 'src/plugins/api.ts')).toEqual([]);
  });

  it('reads process.env only in src/config.ts and exits only in src/main.ts', () => {
    const offenders = (pattern: RegExp, allowed: string) =>
      ALL.filter((f) => f.startsWith('src/') && f !== allowed && pattern.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders(/process\.env\b/, 'src/config.ts')).toEqual([]);
    expect(offenders(/process\.(exit\(|argv\b)/, 'src/main.ts')).toEqual([]);
  });
});
