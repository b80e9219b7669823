import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface TtpSubscriber {
  /** `next` messages so far. */
  received: number;
  /** Errors the server sent for the subscription, or the socket closing under it (e.g. SLOW_CONSUMER). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * One graphql-ws client on its own socket with one `ttpTagged` subscription. Resolves once the
 * server acknowledged the connection (the subscription itself is live a moment later: wait for
 * `gatehouse_subscriptions_active`). Never retries: a closed socket is a lost subscriber, and counts.
 * `onMessage` gets each message's data and `Date.now()` taken as it arrived.
 */
export async function subscribeTtpTagged(options: {
  wsUrl: string;
  token: string;
  query: string;
  onMessage?(data: Record<string, unknown>, receivedAt: number): void;
}): Promise<TtpSubscriber> {
  const subscriber: TtpSubscriber = { received: 0, errors: [], close: async () => {} };
  let connected!: () => void;
  let failed!: (err: unknown) => void;
  const acknowledged = new Promise<void>((resolve, reject) => ((connected = resolve), (failed = reject)));
  const client = createClient({
    url: options.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${options.token}` },
    lazy: false,
    retryAttempts: 0,
    on: { connected: () => connected(), error: (err) => failed(err) },
    onNonLazyError: (err) => failed(err),
  });
  client.subscribe(
    { query: options.query },
    {
      next: (message) => {
        const receivedAt = Date.now();
        subscriber.received += 1;
        if (message.errors) subscriber.errors.push(JSON.stringify(message.errors));
        else options.onMessage?.((message.data ?? {}) as Record<string, unknown>, receivedAt);
      },
      error: (err) => void subscriber.errors.push(describe(err)),
      complete: () => {},
    },
  );
  subscriber.close = async () => void (await client.dispose());
  try {
    await acknowledged;
  } catch (err) {
    await subscriber.close();
    throw new Error(`graphql-ws connection to ${options.wsUrl} failed: ${describe(err)}`);
  }
  return subscriber;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (Array.isArray(err)) return JSON.stringify(err);
  const close = err as { code?: unknown; reason?: unknown } | null;
  if (close && typeof close.code === 'number') return `socket closed ${close.code} ${String(close.reason ?? '')}`.trim();
  return String(err);
}
