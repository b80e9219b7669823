import { createSourceEventStream, execute, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, isPromise, type Plugin } from 'graphql-yoga';
import { TRY_NEXT, tryNext, type SyncPullable } from '../../engine/events/sync-pull.ts';
import type { Context } from '../../resolvers/context.ts';

type MaybePromise<T> = T | Promise<T>;

/**
 * Executes a subscription's selection once per published event for every group of subscribers that
 * would get the same answer, and hands the group one shared result (issue 3, fan-out bench: 500
 * `ttpTagged` subscribers ran 500 identical executions of every event).
 *
 * What stays per subscriber: the source stream (its bounded queue and SLOW_CONSUMER close, its
 * `after:` replay and live tail, its filters) and everything after execution (error mapping with
 * its own request id, `extensions.apiVersion`, the socket). Only the step "source event → execution
 * result" is shared, and only when all of these are identical:
 *
 * - the source event itself, by object identity. The buses hand one object to every subscriber of
 *   a topic; a resolver that derives a per-subscriber value (a filtered copy, a replayed row) makes
 *   a new object and so gets its own execution;
 * - the document (printed), the operation name and the raw variables (as sent: the same values in
 *   another key order simply do not share);
 * - the visibility scope: the transport and the principal's role, agent and agent roles — what the
 *   schema's access rules and resolvers may consult. Payload resolvers must not read a token id or a
 *   request id into a result; those differ inside a group.
 *
 * A result that carries errors is never shared: every other subscriber of the group executes the
 * event itself, so errors are raised, logged and mapped under each subscriber's own context. Shared
 * results are read-only for everyone downstream (the formatters copy, they do not mutate).
 */
export function useSharedEventResults(): Plugin<Record<string, unknown>> {
  const printed = new WeakMap<DocumentNode, string>();
  const results = new WeakMap<object, Map<string, MaybePromise<ExecutionResult>>>();

  const groupKey = (args: ExecutionArgs): string => {
    let text = printed.get(args.document);
    if (text === undefined) printed.set(args.document, (text = print(args.document)));
    const ctx = args.contextValue as Partial<Context> | undefined;
    const principal = ctx?.principal ?? null;
    const scope = [ctx?.transport ?? null, principal?.role ?? null, principal?.agent ?? null, principal?.agentRoles ?? null];
    return JSON.stringify([text, args.operationName ?? null, args.variableValues ?? null, scope]);
  };

  const resultFor = (payload: unknown, key: string, run: () => MaybePromise<ExecutionResult>): MaybePromise<ExecutionResult> => {
    if (typeof payload !== 'object' || payload === null) return run();
    let group = results.get(payload);
    if (!group) results.set(payload, (group = new Map()));
    const shared = group.get(key);
    if (shared === undefined) {
      const result = run();
      group.set(key, result);
      return result;
    }
    if (isPromise(shared)) return shared.then((r) => (r.errors ? run() : r));
    return shared.errors ? run() : shared;
  };

  const subscribe = (args: ExecutionArgs) => {
    const key = groupKey(args);
    const execOne = (payload: unknown) => resultFor(payload, key, () => execute({ ...args, rootValue: payload }) as MaybePromise<ExecutionResult>);
    const mapSource = (source: Awaited<ReturnType<typeof createSourceEventStream>>) =>
      isAsyncIterable(source) ? mapEvents(source[Symbol.asyncIterator](), execOne) : source;
    const source = createSourceEventStream(args);
    return isPromise(source) ? source.then(mapSource) : mapSource(source);
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as never);
    },
  };
}

/**
 * `execute` applied to each source event, as graphql-js's own subscribe maps it. Not Yoga's
 * `mapAsyncIterator`: its promise helpers allocate several closures per value, and this runs per
 * subscriber per event (issue 3, fan-out bench). A synchronous result costs no promise beyond the
 * source's own, and none at all through `[TRY_NEXT]` (sync-pull.ts); an event pulled that way whose
 * execution is asynchronous is held and becomes the next `next()`.
 */
function mapEvents(source: AsyncIterator<unknown>, run: (payload: unknown) => MaybePromise<ExecutionResult>): AsyncIterableIterator<ExecutionResult> & SyncPullable<ExecutionResult> {
  const done = { value: undefined, done: true } as const;
  let held: Promise<ExecutionResult> | null = null;
  const yielded = (value: ExecutionResult) => ({ value, done: false }) as const;
  const toStep = (step: IteratorResult<unknown>): MaybePromise<IteratorResult<ExecutionResult>> => {
    if (step.done) return done;
    const result = run(step.value);
    return isPromise(result) ? result.then(yielded) : yielded(result);
  };
  const stream: AsyncIterableIterator<ExecutionResult> & SyncPullable<ExecutionResult> = {
    [TRY_NEXT]() {
      if (held) return null;
      const step = tryNext(source);
      if (!step) return null;
      const result = run(step.value);
      if (!isPromise(result)) return yielded(result);
      held = result;
      return null;
    },
    next() {
      if (held) {
        const result = held;
        held = null;
        return result.then(yielded);
      }
      return source.next().then(toStep);
    },
    async return() {
      held = null;
      await source.return?.();
      return done;
    },
    async throw(error: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
