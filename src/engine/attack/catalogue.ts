import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The pinned MITRE ATT&CK Enterprise catalogue (DESIGN §6): rule files are validated against it and
 * tags name its release. The data file is vendored (no download at install or run time).
 */
export const ATTACK_RELEASE = '18.1';
export const DEFAULT_CATALOGUE_FILE = fileURLToPath(new URL('../../../vendor/attack/attack-enterprise-18.1.json', import.meta.url));

export interface AttackTactic {
  id: string;
  shortname: string;
  name: string;
  /** Position in the Enterprise matrix, left to right. */
  order: number;
}

export interface AttackTechnique {
  id: string;
  name: string;
  tactics: string[];
  platforms: string[];
  deprecated: boolean;
  revoked: boolean;
  /** For a sub-technique (`T1003.008`), its parent (`T1003`); else null. */
  parentId: string | null;
  url: string;
}

export interface AttackCatalogue {
  readonly release: string;
  readonly tactics: readonly AttackTactic[];
  tactic(id: string): AttackTactic | undefined;
  technique(id: string): AttackTechnique | undefined;
  techniques(): Iterable<AttackTechnique>;
}

const fileSchema = z.object({
  attack: z.literal('enterprise'),
  version: z.string(),
  tactics: z.array(z.object({ id: z.string(), shortname: z.string(), name: z.string() })),
  techniques: z.array(
    z.object({
      id: z.string().regex(/^T\d{4}(\.\d{3})?$/),
      name: z.string(),
      tactics: z.array(z.string()),
      platforms: z.array(z.string()),
      deprecated: z.boolean(),
      revoked: z.boolean(),
    }),
  ),
});

export function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

/** Reads and checks the catalogue file; throws naming the file if it is not the expected shape. */
export function loadAttackCatalogue(file: string = DEFAULT_CATALOGUE_FILE): AttackCatalogue {
  const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`ATT&CK catalogue ${file}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const tactics = parsed.data.tactics.map((t, order) => ({ ...t, order }));
  const tacticById = new Map(tactics.map((t) => [t.id, t]));
  const techniqueById = new Map<string, AttackTechnique>(
    parsed.data.techniques.map((t) => [t.id, { ...t, parentId: t.id.includes('.') ? (t.id.split('.')[0] as string) : null, url: techniqueUrl(t.id) }]),
  );
  return {
    release: parsed.data.version,
    tactics,
    tactic: (id) => tacticById.get(id),
    technique: (id) => techniqueById.get(id),
    techniques: () => techniqueById.values(),
  };
}
