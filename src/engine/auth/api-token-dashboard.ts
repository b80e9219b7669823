import type { ApiTokenStore } from './api-token.ts';
import { ROLES } from './roles.ts';
import type { DashboardProvider } from '../dashboard/dashboard.ts';

/** Dashboard section for API tokens: active tokens by role, and the newest tokens. */
export function apiTokenDashboard(store: ApiTokenStore): DashboardProvider {
  return {
    name: 'apiTokens',
    async load({ recentLimit }) {
      const [byRole, newest] = await Promise.all([store.countActiveByRole(), store.list({}, null, recentLimit)]);
      const value = ROLES.reduce((sum, role) => sum + byRole[role], 0);
      return {
        counts: [{ key: 'apiTokens', label: 'Active API tokens by role', value, breakdown: ROLES.map((role) => ({ key: role, value: byRole[role] })) }],
        recent: newest.slice(0, recentLimit).map((t) => ({ kind: 'apiToken', id: t.id, title: `${t.role} token "${t.name}" created`, at: t.createdAt })),
      };
    },
  };
}
