import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../metrics.ts';

/** Counts executed operations by type and transport for GET /metrics. */
export function useOperationMetrics(metrics: Metrics): Plugin<{ transport?: string }> {
  const count = (args: { document: Parameters<typeof getOperationAST>[0]; operationName?: string | null; contextValue: { transport?: string } }) => {
    const operation = getOperationAST(args.document, args.operationName ?? undefined);
    metrics.graphqlOperations.inc({ type: operation?.operation ?? 'unknown', transport: args.contextValue.transport ?? 'http' });
  };
  return {
    onExecute({ args }) {
      count(args);
    },
    onSubscribe({ args }) {
      count(args);
    },
  };
}
