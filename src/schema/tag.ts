import type { ObjectRef } from '@pothos/core';
import type { AttackTechnique } from '../engine/attack/catalogue.ts';
import type { StoredTag, TechniqueCount } from '../engine/tagging/tag-store.ts';
import type { Tag } from '../engine/tagging/tag.ts';
import { navigatorLayer, tags, techniqueCounts } from '../resolvers/query/tags.ts';
import type { Builder, Types } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';

export function addTags(builder: Builder, Technique: ObjectRef<Types, AttackTechnique>) {
  const technique = (id: string, ctx: Types['Context']) => ctx.catalogue.technique(id) ?? null;
  const TagRef = builder.objectRef<Tag & Partial<Pick<StoredTag, 'createdAt'>>>('Tag').implement({
    description: 'One ATT&CK technique attributed to one source event by one rule version.',
    fields: (t) => ({
      id: t.exposeString('id', { description: 'UUIDv5 of source kind, source id, rule id and version, technique and sub-technique.' }),
      ruleId: t.exposeString('ruleId'),
      ruleVersion: t.exposeInt('ruleVersion'),
      tactic: t.exposeString('tactic'),
      techniqueId: t.exposeString('techniqueId', { description: 'Parent technique id, also for sub-technique tags.' }),
      subTechniqueId: t.exposeString('subTechniqueId', { nullable: true }),
      technique: t.field({
        type: Technique,
        nullable: true,
        description: 'The sub-technique where the tag has one, else the technique.',
        resolve: (tag, _a, ctx) => technique(tag.subTechniqueId ?? tag.techniqueId, ctx),
      }),
      confidence: t.exposeFloat('confidence'),
      evidence: t.field({ type: 'JSON', resolve: (tag) => tag.evidence }),
      sourceKind: t.exposeString('sourceKind'),
      sourceId: t.exposeString('sourceId'),
      attackerId: t.exposeString('attackerId', { nullable: true }),
      sessionId: t.exposeString('sessionId', { nullable: true }),
      occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'Event time of the source event.' }),
      createdAt: t.field({ type: 'DateTime', resolve: (tag) => tag.createdAt ?? tag.occurredAt }),
      attackRelease: t.string({ resolve: (_tag, _a, ctx) => ctx.catalogue.release }),
    }),
  });

  const Filter = builder.inputType('TagFilter', {
    fields: (t) => ({
      techniqueId: t.string({ required: false, description: 'A parent id (T1003) also matches its sub-techniques.' }),
      tactic: t.string({ required: false }),
      ruleId: t.string({ required: false }),
      sourceKind: t.string({ required: false }),
      sourceId: t.string({ required: false }),
      attackerId: t.string({ required: false }),
      sessionId: t.string({ required: false }),
      since: t.field({ type: 'DateTime', required: false }),
      until: t.field({ type: 'DateTime', required: false }),
      minConfidence: t.float({ required: false }),
      runId: t.string({ required: false, description: 'Only this replay run’s tags; live tags when absent.' }),
    }),
  });

  builder.queryField('tags', (t) =>
    t.field({
      type: connectionType(builder, 'Tag', TagRef),
      description: 'Tags, newest first.',
      args: { filter: t.arg({ type: Filter, required: false }), ...pageArgs(t.arg) },
      resolve: (_root, args, ctx) => tags(args, ctx),
    }),
  );

  const Count = builder.objectRef<TechniqueCount>('TechniqueCount').implement({
    fields: (t) => ({
      techniqueId: t.exposeString('techniqueId'),
      subTechniqueId: t.exposeString('subTechniqueId', { nullable: true }),
      tactic: t.exposeString('tactic'),
      count: t.exposeInt('count'),
      maxConfidence: t.exposeFloat('maxConfidence'),
      technique: t.field({ type: Technique, nullable: true, resolve: (c, _a, ctx) => technique(c.subTechniqueId ?? c.techniqueId, ctx) }),
    }),
  });
  builder.queryField('techniqueCounts', (t) =>
    t.field({ type: [Count], args: { filter: t.arg({ type: Filter, required: false }) }, resolve: (_root, args, ctx) => techniqueCounts(args, ctx) }),
  );
  builder.queryField('navigatorLayer', (t) =>
    t.field({
      type: 'JSON',
      description: 'An ATT&CK Navigator layer (format 4.5, enterprise, ATT&CK 18) of the matching tags; scores are tag counts.',
      args: { filter: t.arg({ type: Filter, required: false }), name: t.arg.string({ required: false }) },
      resolve: (_root, args, ctx) => navigatorLayer(args, ctx),
    }),
  );
  return TagRef;
}
