import type { ActionHandlerDefinition, LifterDefinition, SourceKindDefinition } from './api.ts';

/**
 * Conflicts between plugins (issue "tagging" A.4, CONVENTIONS "Plugins"): one plugin name, lifter id,
 * action kind (aliases included), owned rule kind or source kind may have one owner. Every party to
 * a conflict is refused, and each message names the other owner: picking a winner by name order
 * would let any plugin hijack another's action kind, and the gateway fails closed.
 */
export interface ConflictParty {
  /** Identifies the party in the result. */
  readonly key: number;
  readonly name: string;
  readonly label: string;
  readonly lifters: readonly LifterDefinition<unknown>[];
  readonly actions: readonly ActionHandlerDefinition<unknown>[];
  readonly sourceKinds: readonly SourceKindDefinition[];
}

type Category = 'plugin name' | 'lifter id' | 'action kind' | 'rule kind' | 'source kind';

interface Claim {
  readonly party: Pick<ConflictParty, 'key' | 'name' | 'label'>;
  readonly category: Category;
  readonly value: string;
  /** How this party holds the value, e.g. `an alias of "write_file"` or `lifter "a/brute-force"`. */
  readonly how: string;
}

/** Duplicate plugin names among every candidate that is not disabled, whatever else is wrong with it. */
export function findNameConflicts(parties: readonly Pick<ConflictParty, 'key' | 'name' | 'label'>[]): Map<number, string[]> {
  return conflicts(parties.map((party) => ({ party, category: 'plugin name', value: party.name, how: '' })));
}

/** Conflicts among plugins that passed their own checks, plus source kinds Gatehouse already has. */
export function findDefinitionConflicts(parties: readonly ConflictParty[], reservedSourceKinds: readonly string[]): Map<number, string[]> {
  const claims: Claim[] = parties.flatMap((party) => [
    ...party.lifters.map((l): Claim => ({ party, category: 'lifter id', value: l.id, how: '' })),
    ...party.lifters.flatMap((l) => l.owns.map((kind): Claim => ({ party, category: 'rule kind', value: kind, how: `lifter ${JSON.stringify(l.id)}` }))),
    ...party.actions.map((a): Claim => ({ party, category: 'action kind', value: a.action, how: 'an action' })),
    ...party.actions.flatMap((a) =>
      (a.aliases ?? []).map((alias): Claim => ({ party, category: 'action kind', value: alias, how: `an alias of ${JSON.stringify(a.action)}` })),
    ),
    ...party.sourceKinds.map((k): Claim => ({ party, category: 'source kind', value: k.kind, how: '' })),
  ]);
  const found = conflicts(claims);
  for (const party of parties) {
    for (const kind of party.sourceKinds.filter((k) => reservedSourceKinds.includes(k.kind))) {
      add(found, party.key, `source kind ${JSON.stringify(kind.kind)} is built into Gatehouse; choose another name`);
    }
  }
  return found;
}

function conflicts(claims: readonly Claim[]): Map<number, string[]> {
  const groups = new Map<string, Claim[]>();
  for (const claim of claims) {
    const id = `${claim.category}\u0000${claim.value}`;
    groups.set(id, [...(groups.get(id) ?? []), claim]);
  }
  const found = new Map<number, string[]>();
  for (const group of groups.values()) {
    for (const claim of group) {
      // Two claims by one plugin are that plugin's own duplicate, which parse-manifest reports.
      for (const other of group.filter((o) => o.party.key !== claim.party.key)) add(found, claim.party.key, describe(claim, other));
    }
  }
  return found;
}

function describe(claim: Claim, other: Claim): string {
  const value = JSON.stringify(claim.value);
  const owner = `plugin ${other.party.name} (${other.party.label})`;
  switch (claim.category) {
    case 'plugin name':
      return `plugin name ${value} is also used by ${other.party.label}; plugin names must be unique`;
    case 'lifter id':
      return `lifter id ${value} is also defined by ${owner}; lifter ids must be unique`;
    case 'source kind':
      return `source kind ${value} is also defined by ${owner}; source kinds must be unique`;
    case 'rule kind':
      return `rule kind ${value} is owned here by ${claim.how} and also by ${other.how} of ${owner}; each rule kind must have one owner`;
    case 'action kind':
      return `action kind ${value} is claimed here as ${claim.how} and by ${owner} as ${other.how}; each action kind and alias must have one owner`;
  }
}

function add(found: Map<number, string[]>, key: number, message: string): void {
  found.set(key, [...(found.get(key) ?? []), message]);
}
