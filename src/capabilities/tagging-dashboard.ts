import type { DashboardProvider } from '../engine/dashboard/dashboard.ts';
import type { RuleRegistry } from '../engine/tagging/rule-registry.ts';
import type { RuleStateService } from '../engine/tagging/rule-state-service.ts';
import type { TagStore } from '../engine/tagging/tag-store.ts';

/** Dashboard: events, tags, tags by tactic, rules by state, lifter errors; recent tags. */
export function taggingDashboard(store: () => TagStore, rules: RuleRegistry, states: RuleStateService): DashboardProvider {
  return {
    name: 'tagging',
    async load({ recentLimit }) {
      const tags = store();
      const [events, tagCount, counts, recent] = await Promise.all([tags.countEvents(null), tags.countTags({ runId: null }), tags.techniqueCounts({ runId: null }), tags.listTags({ runId: null }, null, recentLimit)]);
      const byTactic = new Map<string, number>();
      for (const c of counts) byTactic.set(c.tactic, (byTactic.get(c.tactic) ?? 0) + c.count);
      const byState = new Map<string, number>([['enabled', 0], ['disabled', 0], ['clipped', 0]]);
      for (const e of rules.entries()) {
        const s = states.effective(e.rule.ruleId).state;
        byState.set(s, (byState.get(s) ?? 0) + 1);
      }
      const failures = [...rules.engine().lifterFailures].map(([id, c]) => ({ key: id, value: c.error + c.timeout }));
      const breakdown = (m: Map<string, number>) => [...m].map(([key, value]) => ({ key, value }));
      return {
        counts: [
          { key: 'events', label: 'Events ingested', value: events, breakdown: [] },
          { key: 'tags', label: 'Tags', value: tagCount, breakdown: [] },
          { key: 'tagsByTactic', label: 'Tags by tactic', value: tagCount, breakdown: breakdown(byTactic).sort((a, b) => a.key.localeCompare(b.key)) },
          { key: 'rulesByState', label: 'Rules by effective state', value: rules.entries().length, breakdown: breakdown(byState) },
          { key: 'lifterErrors', label: 'Lifter errors and timeouts', value: failures.reduce((s, f) => s + f.value, 0), breakdown: failures },
        ],
        recent: recent.slice(0, recentLimit).map((t) => ({ kind: 'tag', id: t.id, title: `${t.subTechniqueId ?? t.techniqueId} by ${t.ruleId} on ${t.sourceKind} ${t.sourceId}`, at: t.createdAt })),
      };
    },
  };
}
