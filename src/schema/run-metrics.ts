import type { Confusion, KeyCount, RuleMetric, RunMetrics, TechniqueMetric } from '../engine/runs/run-metrics.ts';
import type { Builder } from './builder.ts';

/** The metrics of a run (issue #5 §7, DESIGN §8) as GraphQL types; ratios are null when undefined. */
export function addRunMetrics(builder: Builder) {
  const Count = builder.objectRef<KeyCount>('KeyCount').implement({ fields: (t) => ({ key: t.exposeString('key'), value: t.exposeInt('value') }) });
  const Overall = builder.objectRef<Confusion>('ConfusionCounts').implement({
    description: 'True/false positives and false negatives against the labels; precision and recall are null when their denominator is 0.',
    fields: (t) => ({
      truePositives: t.exposeInt('truePositives'),
      falsePositives: t.exposeInt('falsePositives'),
      falseNegatives: t.exposeInt('falseNegatives'),
      precision: t.exposeFloat('precision', { nullable: true }),
      recall: t.exposeFloat('recall', { nullable: true }),
    }),
  });
  const Rule = builder.objectRef<RuleMetric>('RuleMetric').implement({
    fields: (t) => ({
      ruleId: t.exposeString('ruleId'),
      tags: t.exposeInt('tags'),
      truePositives: t.exposeInt('truePositives'),
      falsePositives: t.exposeInt('falsePositives'),
      falseNegatives: t.exposeInt('falseNegatives'),
      precision: t.exposeFloat('precision', { nullable: true }),
      recall: t.exposeFloat('recall', { nullable: true }),
    }),
  });
  const Technique = builder.objectRef<TechniqueMetric>('TechniqueMetric').implement({
    fields: (t) => ({
      techniqueId: t.exposeString('techniqueId', { description: 'Technique or sub-technique id.' }),
      tags: t.exposeInt('tags'),
      expected: t.exposeInt('expected', { description: 'Labelled steps that expected it.' }),
      truePositives: t.exposeInt('truePositives'),
      falsePositives: t.exposeInt('falsePositives'),
      falseNegatives: t.exposeInt('falseNegatives'),
      precision: t.exposeFloat('precision', { nullable: true }),
      recall: t.exposeFloat('recall', { nullable: true }),
    }),
  });
  const Volume = builder.objectRef<RunMetrics['volume']>('RunVolume').implement({
    fields: (t) => ({ steps: t.exposeInt('steps'), events: t.exposeInt('events'), requests: t.exposeInt('requests'), rejected: t.exposeInt('rejected', { description: 'Steps that could not be processed (invalid events).' }), byKind: t.field({ type: [Count], resolve: (v) => v.byKind }) }),
  });
  const Tags = builder.objectRef<RunMetrics['tags']>('RunTagCounts').implement({
    fields: (t) => ({ total: t.exposeInt('total'), byTechnique: t.field({ type: [Count], resolve: (v) => v.byTechnique }), byRule: t.field({ type: [Count], resolve: (v) => v.byRule }), byTactic: t.field({ type: [Count], resolve: (v) => v.byTactic }) }),
  });
  const Labels = builder.objectRef<RunMetrics['labels']>('RunLabels').implement({
    fields: (t) => ({ labelled: t.exposeInt('labelled'), unlabelled: t.exposeInt('unlabelled'), complete: t.exposeBoolean('complete') }),
  });
  const Gateway = builder.objectRef<RunMetrics['gateway']>('RunGatewayMetrics').implement({
    fields: (t) => ({
      requests: t.exposeInt('requests'),
      byStatus: t.field({ type: [Count], resolve: (g) => g.byStatus }),
      byReason: t.field({ type: [Count], resolve: (g) => g.byReason }),
      labelled: t.exposeInt('labelled', { description: 'Requests with an expected decision.' }),
      correct: t.exposeInt('correct'),
      falseAllows: t.exposeInt('falseAllows', { description: 'Expected DENIED (or PENDING_APPROVAL), got APPROVED.' }),
      falseDenies: t.exposeInt('falseDenies', { description: 'Expected APPROVED, got DENIED.' }),
    }),
  });
  return builder.objectRef<RunMetrics>('RunMetrics').implement({
    fields: (t) => ({
      volume: t.field({ type: Volume, resolve: (m) => m.volume }),
      tags: t.field({ type: Tags, resolve: (m) => m.tags }),
      labels: t.field({ type: Labels, resolve: (m) => m.labels }),
      overall: t.field({ type: Overall, resolve: (m) => m.overall }),
      perRule: t.field({ type: [Rule], resolve: (m) => m.perRule }),
      perTechnique: t.field({ type: [Technique], resolve: (m) => m.perTechnique }),
      gateway: t.field({ type: Gateway, resolve: (m) => m.gateway }),
      outcomes: t.field({ type: [Count], description: 'Labelled steps by outcome: blocked, alerted, logged, missed.', resolve: (m) => m.outcomes }),
      lifterErrors: t.exposeInt('lifterErrors'),
    }),
  });
}
