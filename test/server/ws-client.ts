import { createClient, type Client, type ExecutionResult, type SubscribePayload } from 'graphql-ws';
import WebSocket from 'ws';

/** Test helpers for graphql-ws: a real client on a real socket, and a recorder for one operation. */

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface WsConnection {
  client: Client;
  /** Resolves when the server acknowledged `connection_init`. */
  connected: Promise<void>;
  /** Resolves with the first close of the socket. */
  closed: Promise<CloseInfo>;
  /** True until the socket closes. */
  isOpen(): boolean;
  dispose(): Promise<void>;
}

/** Opens a connection at once (`lazy: false`) and never retries, so a refusal is observable. */
export function connectWs(url: string, authorization?: string): WsConnection {
  let open = false;
  let onClosed: (info: CloseInfo) => void = () => {};
  let onConnected: () => void = () => {};
  const closed = new Promise<CloseInfo>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: authorization === undefined ? undefined : { authorization },
    onNonLazyError: () => {}, // observed through `closed`
    on: {
      connected: () => {
        open = true;
        onConnected();
      },
      closed: (event) => {
        open = false;
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return { client, connected, closed, isOpen: () => open, dispose: async () => void (await client.dispose()) };
}

export type OperationEvent =
  | { kind: 'next'; result: ExecutionResult }
  | { kind: 'error'; error: unknown }
  | { kind: 'complete' };

export interface RecordedOperation {
  events: OperationEvent[];
  /** Resolves with the event at `index` (0-based) once it has arrived. */
  event(index: number): Promise<OperationEvent>;
  unsubscribe(): void;
}

/** Subscribes and records every event the operation receives, in order. */
export function record(client: Client, payload: SubscribePayload): RecordedOperation {
  const events: OperationEvent[] = [];
  const waiters: { index: number; resolve: (e: OperationEvent) => void }[] = [];
  const push = (event: OperationEvent) => {
    events.push(event);
    for (const w of waiters.filter((w) => w.index < events.length)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(events[w.index] as OperationEvent);
    }
  };
  const unsubscribe = client.subscribe(payload, {
    next: (result) => push({ kind: 'next', result: result as ExecutionResult }),
    error: (error) => push({ kind: 'error', error }),
    complete: () => push({ kind: 'complete' }),
  });
  return {
    events,
    event: (index) =>
      index < events.length ? Promise.resolve(events[index] as OperationEvent) : new Promise((resolve) => waiters.push({ index, resolve })),
    unsubscribe,
  };
}
