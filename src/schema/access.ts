import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLSchema, type GraphQLObjectType } from 'graphql';
import type { Permission } from '../engine/auth/roles.ts';
import { roleHas, rolesWith } from '../engine/auth/roles.ts';
import { GatehouseError } from '../engine/errors.ts';
import type { Context } from '../resolvers/context.ts';

/**
 * Who may call each root field (DESIGN §5, issue #2 §5). Access is decided here, once, before any
 * resolver runs; a root field missing from this table is refused for everyone (fail-closed) and
 * the role-matrix test fails until it is listed.
 */
export type Access = Permission | 'public';

export const ROOT_FIELD_ACCESS: Record<'Query' | 'Mutation' | 'Subscription', Record<string, Access>> = {
  Query: {
    serverInfo: 'public',
    readiness: 'read',
    dashboard: 'read',
    node: 'read',
    apiTokens: 'administer',
    rules: 'read',
    rule: 'read',
    tags: 'read',
    techniqueCounts: 'read',
    navigatorLayer: 'read',
    attackTechnique: 'read',
    plugins: 'read',
    gatewayStatus: 'read',
    policy: 'read',
    gatewayRequests: 'read',
    gatewayRequest: 'read',
    auditEvents: 'read',
    verifyAuditChain: 'read',
    scenarios: 'read',
    scenario: 'read',
    state: 'read',
    runs: 'read',
    run: 'read',
    runLogs: 'read',
    governance: 'read',
    governanceHistory: 'read',
    governancePresets: 'read',
  },
  Mutation: {
    createApiToken: 'administer',
    revokeApiToken: 'administer',
    ingestEvents: 'operate',
    setRuleState: 'operate',
    clearRuleState: 'operate',
    reloadRules: 'operate',
    submitRequest: 'act',
    decideApproval: 'operate',
    reloadPolicy: 'administer',
    activateScenario: 'operate',
    updateScenario: 'operate',
    startRun: 'operate',
    stopRun: 'operate',
    pauseRun: 'operate',
    resumeRun: 'operate',
    stepRun: 'operate',
    exportRun: 'operate',
    updateGovernance: 'administer',
  },
  Subscription: {
    readinessChanged: 'read',
    ttpTagged: 'read',
    ruleStateChanged: 'read',
    gatewayDecisions: 'read',
    approvalRequested: 'read',
    runProgress: 'read',
    runLogs: 'read',
    governanceChanged: 'read',
  },
};

export function checkAccess(access: Access | undefined, ctx: Context, field: string): void {
  if (access === 'public') return;
  if (!ctx.principal) {
    throw new GatehouseError('UNAUTHENTICATED', `'${field}' needs an API token: send 'Authorization: Bearer <token>'`, {
      reason: 'missing_token',
    });
  }
  if (access === undefined) {
    throw new GatehouseError('FORBIDDEN', `'${field}' has no access rule and is refused`, { role: ctx.principal.role, requiredRoles: [] });
  }
  if (!roleHas(ctx.principal.role, access)) {
    const requiredRoles = rolesWith(access);
    throw new GatehouseError('FORBIDDEN', `'${field}' needs one of the roles ${requiredRoles.join(', ')}; this token's role is ${ctx.principal.role}`, {
      role: ctx.principal.role,
      requiredRoles,
    });
  }
}

/** Wraps every root field's resolver (and subscriber) with its access check. Mutates `schema`. */
export function applyAccessRules(schema: GraphQLSchema): GraphQLSchema {
  const roots: [keyof typeof ROOT_FIELD_ACCESS, GraphQLObjectType | null | undefined][] = [
    ['Query', schema.getQueryType()],
    ['Mutation', schema.getMutationType()],
    ['Subscription', schema.getSubscriptionType()],
  ];
  for (const [name, type] of roots) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const access = ROOT_FIELD_ACCESS[name][field.name];
      const label = `${name}.${field.name}`;
      const f = field as unknown as GraphQLFieldConfig<unknown, Context>;
      if (name === 'Subscription') {
        const subscribe = f.subscribe;
        f.subscribe = (root, args, ctx, info) => {
          checkAccess(access, ctx, label);
          return subscribe ? subscribe(root, args, ctx, info) : undefined;
        };
      } else {
        const resolve = f.resolve ?? defaultFieldResolver;
        f.resolve = (root, args, ctx, info) => {
          checkAccess(access, ctx, label);
          return resolve(root, args, ctx, info);
        };
      }
    }
  }
  return schema;
}
