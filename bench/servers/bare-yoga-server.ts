import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { announceAndServeUntilTerminated } from './child-protocol.ts';

/**
 * The baseline: graphql-yoga with its defaults and a one-field schema, on node:http at
 * 127.0.0.1 with a port chosen by the OS. Only logging is off, as it is in the Gatehouse child.
 */
const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => 'world' } },
  }),
  logging: false,
});
const server = createServer(yoga);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
const { port } = server.address() as AddressInfo;
announceAndServeUntilTerminated(port, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
