/**
 * Token roles and what each may do (DESIGN §5). A permission names a kind of work; every GraphQL
 * field and HTTP route declares the permission it needs, and a role grants a fixed set of them.
 */
export const ROLES = ['viewer', 'operator', 'admin', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['read', 'operate', 'administer', 'act'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** read: queries and subscriptions; operate: ingest, rule state, scenarios, runs;
 *  administer: governance, policy reload, tokens; act: submit gateway requests as the bound agent. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'operate'],
  admin: ['read', 'operate', 'administer'],
  agent: ['act'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** The roles that hold a permission, for error details ("requiredRoles"). */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((role) => roleHas(role, permission));
}
