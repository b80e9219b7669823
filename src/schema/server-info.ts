import { serverInfo } from '../resolvers/query/server-info.ts';
import type { ServerFacts } from '../resolvers/context.ts';
import type { Builder } from './builder.ts';

export function addServerInfo(builder: Builder): void {
  const ServerInfo = builder.objectRef<ServerFacts & { uptimeSeconds: number }>('ServerInfo').implement({
    description: 'What this server is; public so generic clients can negotiate before authenticating.',
    fields: (t) => ({
      name: t.exposeString('name'),
      version: t.exposeString('version', { description: 'Gatehouse release.' }),
      apiVersion: t.exposeString('apiVersion', { description: 'Version of this GraphQL contract; also in every response under extensions.apiVersion.' }),
      mode: t.exposeString('mode', { description: 'development or production.' }),
      startedAt: t.expose('startedAt', { type: 'DateTime' }),
      uptimeSeconds: t.exposeInt('uptimeSeconds'),
      capabilities: t.exposeStringList('capabilities', {
        description: 'Optional features this server offers, so clients can check before calling them (e.g. "subscriptions.graphql-ws").',
      }),
    }),
  });
  builder.queryField('serverInfo', (t) => t.field({ type: ServerInfo, resolve: (_root, args, ctx) => serverInfo(args, ctx) }));
}
