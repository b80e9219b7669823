import type { ReadinessHint, ReadinessProbe } from '../engine/readiness/readiness.ts';
import type { PluginRegistry } from './plugin-registry.ts';

/**
 * Readiness subsystem `plugins` (issue "tagging" A.5). Not critical: a refused plugin leaves the
 * server serving everything else, so the server is DEGRADED, never UNAVAILABLE, because of it.
 * One hint per failed plugin (and per discovery problem) tells the operator what to fix.
 */
export function createPluginProbe(registry: Pick<PluginRegistry, 'list' | 'discoveryProblems'>): ReadinessProbe {
  return {
    name: 'plugins',
    critical: false,
    check() {
      const failed = registry.list().filter((record) => record.status === 'FAILED');
      const discovery = registry.discoveryProblems();
      if (failed.length === 0 && discovery.length === 0) return { status: 'UP', reason: null };
      const hints: ReadinessHint[] = [
        ...failed.map((record): ReadinessHint => ({ code: 'plugin_failed', severity: 'WARNING', message: record.errors.join('; ') })),
        ...discovery.map((message): ReadinessHint => ({ code: 'plugin_discovery_failed', severity: 'WARNING', message })),
      ];
      const parts = [
        ...(failed.length > 0 ? [`${failed.length} plugin${failed.length === 1 ? '' : 's'} failed to load: ${failed.map((r) => r.name).join(', ')}`] : []),
        ...(discovery.length > 0 ? [`${discovery.length} plugin folder problem${discovery.length === 1 ? '' : 's'}`] : []),
      ];
      return { status: 'DEGRADED', reason: parts.join('; '), hints };
    },
  };
}
