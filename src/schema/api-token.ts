import type { ApiToken } from '../engine/auth/api-token.ts';
import { ROLES, type Role } from '../engine/auth/roles.ts';
import { apiToken, apiTokens } from '../resolvers/query/api-tokens.ts';
import { createApiToken } from '../resolvers/mutation/create-api-token.ts';
import { revokeApiToken } from '../resolvers/mutation/revoke-api-token.ts';
import type { ObjectRef } from '@pothos/core';
import type { Builder, Types } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';
import { withUserErrors, type UserError } from './user-error.ts';

export function addApiTokens(builder: Builder, UserErrorRef: ObjectRef<Types, UserError>): void {
  const RoleEnum = builder.enumType('ApiTokenRole', {
    description: 'VIEWER reads and subscribes; OPERATOR also ingests and runs; ADMIN also governs and manages tokens; AGENT submits gateway requests as its bound agent.',
    values: Object.fromEntries(ROLES.map((r) => [r.toUpperCase(), { value: r }])) as Record<Uppercase<Role>, { value: Role }>,
  });

  const ApiTokenRef = builder.objectRef<ApiToken>('ApiToken');
  builder.node(ApiTokenRef, {
    description: 'An API token. The secret is shown only when the token is created.',
    id: { resolve: (t) => t.id },
    loadOne: (id, ctx) => apiToken(id, ctx),
    fields: (t) => ({
      tokenId: t.exposeString('id', { description: 'The raw token id, as the CLI shows it.' }),
      name: t.exposeString('name'),
      role: t.field({ type: RoleEnum, resolve: (t) => t.role }),
      agent: t.exposeString('agent', { nullable: true, description: 'For AGENT tokens: the agent the token acts as.' }),
      agentRoles: t.exposeStringList('agentRoles', { description: 'For AGENT tokens: the policy roles the agent may act as.' }),
      hint: t.exposeString('hint', { description: 'First characters of the secret.' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Updated at most once a minute.' }),
      revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    }),
  });

  const Filter = builder.inputType('ApiTokenFilter', {
    fields: (t) => ({
      role: t.field({ type: RoleEnum, required: false }),
      includeRevoked: t.boolean({ required: false, defaultValue: false }),
    }),
  });

  builder.queryField('apiTokens', (t) =>
    t.field({
      type: connectionType(builder, 'ApiToken', ApiTokenRef),
      description: 'API tokens, newest first.',
      args: { filter: t.arg({ type: Filter, required: false }), ...pageArgs(t.arg) },
      resolve: (_root, args, ctx) => apiTokens(args, ctx),
    }),
  );

  const CreateInput = builder.inputType('CreateApiTokenInput', {
    fields: (t) => ({
      name: t.string({ description: 'What the token is for, 1-100 characters.' }),
      role: t.field({ type: RoleEnum }),
      agent: t.string({ required: false, description: 'AGENT tokens only: the agent identity it acts as.' }),
      agentRoles: t.stringList({ required: false, description: 'AGENT tokens only: the policy roles the agent may act as.' }),
    }),
  });
  const CreatePayload = builder.objectRef<{ token?: string; apiToken?: ApiToken; userErrors: UserError[] }>('CreateApiTokenPayload').implement({
    fields: (t) => ({
      token: t.exposeString('token', { nullable: true, description: 'The secret. Shown once: store it now.' }),
      apiToken: t.field({ type: ApiTokenRef, nullable: true, resolve: (p) => p.apiToken ?? null }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });
  builder.mutationField('createApiToken', (t) =>
    t.field({
      type: CreatePayload,
      args: { input: t.arg({ type: CreateInput }) },
      resolve: (_root, args, ctx) => withUserErrors(() => createApiToken(args, ctx)),
    }),
  );

  const RevokeInput = builder.inputType('RevokeApiTokenInput', {
    fields: (t) => ({ id: t.string({ description: 'The token id (ApiToken.tokenId).' }) }),
  });
  const RevokePayload = builder.objectRef<{ apiToken?: ApiToken; userErrors: UserError[] }>('RevokeApiTokenPayload').implement({
    fields: (t) => ({
      apiToken: t.field({ type: ApiTokenRef, nullable: true, resolve: (p) => p.apiToken ?? null }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });
  builder.mutationField('revokeApiToken', (t) =>
    t.field({
      type: RevokePayload,
      description: 'Revokes a token at once; revoking twice is harmless.',
      args: { input: t.arg({ type: RevokeInput }) },
      resolve: (_root, args, ctx) => withUserErrors(() => revokeApiToken(args, ctx)),
    }),
  );
}
