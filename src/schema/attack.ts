import type { ObjectRef } from '@pothos/core';
import type { AttackTactic, AttackTechnique } from '../engine/attack/catalogue.ts';
import { attackTechnique } from '../resolvers/query/tags.ts';
import type { Builder, Types } from './builder.ts';

export function addAttack(builder: Builder): ObjectRef<Types, AttackTechnique> {
  const Tactic = builder.objectRef<AttackTactic>('AttackTactic').implement({
    description: 'An ATT&CK Enterprise tactic.',
    fields: (t) => ({
      id: t.exposeString('id', { description: 'e.g. TA0006' }),
      shortname: t.exposeString('shortname', { description: 'e.g. credential-access' }),
      name: t.exposeString('name'),
    }),
  });
  const Technique = builder.objectRef<AttackTechnique>('AttackTechnique');
  Technique.implement({
    description: 'An ATT&CK Enterprise technique or sub-technique from the pinned release.',
    fields: (t) => ({
      id: t.exposeString('id', { description: 'e.g. T1003 or T1003.008' }),
      name: t.exposeString('name'),
      tactics: t.field({ type: [Tactic], resolve: (tech, _a, ctx) => tech.tactics.map((id) => ctx.catalogue.tactic(id)).filter((x): x is AttackTactic => x !== undefined) }),
      platforms: t.exposeStringList('platforms'),
      isSubTechnique: t.boolean({ resolve: (tech) => tech.parentId !== null }),
      parent: t.field({ type: Technique, nullable: true, resolve: (tech, _a, ctx) => (tech.parentId ? (ctx.catalogue.technique(tech.parentId) ?? null) : null) }),
      deprecated: t.exposeBoolean('deprecated'),
      revoked: t.exposeBoolean('revoked'),
      url: t.exposeString('url', { description: 'The technique page on attack.mitre.org.' }),
    }),
  });
  builder.queryField('attackTechnique', (t) =>
    t.field({
      type: Technique,
      description: 'Looks up a technique or sub-technique in the pinned ATT&CK release.',
      args: { id: t.arg.string() },
      resolve: (_root, args, ctx) => attackTechnique(args, ctx),
    }),
  );
  return Technique;
}
