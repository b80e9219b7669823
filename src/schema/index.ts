import type { GraphQLSchema } from 'graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { applyAccessRules } from './access.ts';
import { addApiTokens } from './api-token.ts';
import { createBuilder } from './builder.ts';
import { addAttack } from './attack.ts';
import { addDashboard } from './dashboard.ts';
import { addGateway } from './gateway.ts';
import { addGatewayPolicy } from './gateway-policy.ts';
import { addGovernance } from './governance.ts';
import { addRunLogs } from './run-log.ts';
import { addRuns } from './run.ts';
import { addScenarios } from './scenario.ts';
import { addIngest } from './ingest.ts';
import { addPlugins } from './plugin.ts';
import { addRules } from './rule.ts';
import { addTags } from './tag.ts';
import { addReadiness } from './readiness.ts';
import { addScalars } from './scalars.ts';
import { addServerInfo } from './server-info.ts';
import { endStreamsOnError } from './stream-errors.ts';
import { addUserError } from './user-error.ts';

/** Builds the whole GraphQL schema. Pure: no I/O, no services; safe to call for `schema print`. */
export function buildSchema(): GraphQLSchema {
  const builder = createBuilder();
  addScalars(builder);
  builder.queryType({ description: 'Reads. Every field needs a token with the read permission unless documented as public.' });
  builder.mutationType({ description: 'Changes. Each takes one `input` and returns a payload with `userErrors`.' });
  builder.subscriptionType({ description: 'Live streams over graphql-ws (same path) or SSE.' });
  const userError = addUserError(builder);
  addServerInfo(builder);
  addReadiness(builder);
  addDashboard(builder);
  addApiTokens(builder, userError);
  const technique = addAttack(builder);
  const tag = addTags(builder, technique);
  addRules(builder, userError);
  addIngest(builder, userError, tag);
  addPlugins(builder);
  const gateway = addGateway(builder, tag);
  addGatewayPolicy(builder, userError, gateway.Request);
  const governance = addGovernance(builder, userError);
  const scenarios = addScenarios(builder, userError);
  addRuns(builder, { userError, scenario: scenarios.Scenario, component: scenarios.Component, governance: governance.Governance });
  addRunLogs(builder);
  const schema = builder.toSchema({ sortSchema: true });
  return endStreamsOnError(applyAccessRules(schema));
}

/** The committed `schema.graphql`: lexicographically sorted SDL. */
export function printSortedSchema(schema: GraphQLSchema = buildSchema()): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
