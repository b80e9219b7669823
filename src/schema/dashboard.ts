import type { Dashboard, DashboardCount, DashboardItem } from '../engine/dashboard/dashboard.ts';
import { dashboard } from '../resolvers/query/dashboard.ts';
import type { Builder } from './builder.ts';

export function addDashboard(builder: Builder): void {
  const Breakdown = builder.objectRef<{ key: string; value: number }>('DashboardBreakdown').implement({
    fields: (t) => ({ key: t.exposeString('key'), value: t.exposeInt('value') }),
  });
  const Count = builder.objectRef<DashboardCount>('DashboardCount').implement({
    fields: (t) => ({
      key: t.exposeString('key', { description: 'Stable key, e.g. apiTokens.' }),
      label: t.exposeString('label'),
      value: t.exposeInt('value'),
      breakdown: t.field({ type: [Breakdown], resolve: (c) => c.breakdown }),
    }),
  });
  const Item = builder.objectRef<DashboardItem>('DashboardItem').implement({
    fields: (t) => ({
      kind: t.exposeString('kind', { description: 'What the item is, e.g. apiToken.' }),
      id: t.exposeString('id'),
      title: t.exposeString('title'),
      at: t.expose('at', { type: 'DateTime' }),
    }),
  });
  const DashboardRef = builder.objectRef<Dashboard>('Dashboard').implement({
    description: 'Counts and recent items from every capability, for an operator overview.',
    fields: (t) => ({
      generatedAt: t.expose('generatedAt', { type: 'DateTime' }),
      counts: t.field({ type: [Count], resolve: (d) => d.counts }),
      recent: t.field({ type: [Item], description: 'Newest first.', resolve: (d) => d.recent }),
    }),
  });
  builder.queryField('dashboard', (t) =>
    t.field({
      type: DashboardRef,
      args: { recentLimit: t.arg.int({ required: false, defaultValue: 10, description: 'Recent items to return, 1 to 50.' }) },
      resolve: (_root, args, ctx) => dashboard(args, ctx),
    }),
  );
}
