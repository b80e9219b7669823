import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { createWriteCoalescer } from './write-coalescer.ts';

/** What graphql-ws hands every hook as `ctx.extra` (the same shape as graphql-ws's own `use/ws`). */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  /**
   * Sends one text frame the way graphql-ws's own messages go (coalesced per turn; waits only past
   * SOCKET_HIGH_WATER_BYTES). Writing through this keeps a frame in order with graphql-ws's messages.
   */
  readonly send: (data: string | Buffer) => Promise<void> | void;
  /** Lets what was sent so far leave now instead of at the end of the turn. */
  readonly flush: () => void;
}

/**
 * Bytes a socket may hold unsent before a subscription waits for it. Up to here `send` returns at
 * once, so one subscription can put a whole published batch on the wire in one turn; past it, each
 * send waits for its frame to reach the kernel, the subscription stops draining its bounded queue,
 * and a client that does not read ends with SLOW_CONSUMER as before (DESIGN §5).
 */
export const SOCKET_HIGH_WATER_BYTES = 256 * 1024;
const TEXT = { binary: false } as const;

/**
 * graphql-ws's protocol (`makeServer`) on a `ws` server: the binding graphql-ws ships as `use/ws`
 * (and invites adapting), changed in how it sends (issue 3, fan-out bench). `use/ws` resolves each
 * send on the write callback, so a subscription delivered one message per socket write round trip
 * and every message was its own syscall. Here a send below SOCKET_HIGH_WATER_BYTES buffered is
 * fire-and-forget, and the frames written to a socket in one event-loop turn leave in one `writev`
 * (write-coalescer.ts). Keep-alive, protocol negotiation and close handling are as in `use/ws`.
 */
export function bindGraphqlWs<P extends Record<string, unknown> | undefined, E extends Record<PropertyKey, unknown>>(
  options: ServerOptions<P, SocketExtra & E>,
  wss: WebSocketServer,
  keepAliveMs: number,
  log: Logger,
): { dispose(): void } {
  const server = makeServer(options);
  const writes = createWriteCoalescer();
  wss.options.handleProtocols = handleProtocols;

  const onError = (err: Error) => {
    log.error({ err }, 'graphql-ws: WebSocket server error');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  };
  wss.on('error', onError);

  const onConnection = (socket: WebSocket, request: IncomingMessage) => {
    // The upgraded HTTP socket is the one ws writes to; holding it back is what coalesces the frames.
    const raw: Socket = request.socket;
    socket.once('error', (err) => {
      log.error({ err }, 'graphql-ws: socket error');
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });

    let pongWait: NodeJS.Timeout | null = null;
    const ping = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, keepAliveMs);

    // Always a text frame: a Buffer here holds UTF-8 JSON (next-frame-pump.ts).
    const send = (data: string | Buffer): Promise<void> | void => {
      if (socket.readyState !== socket.OPEN) return;
      writes.hold(raw);
      if (socket.bufferedAmount < SOCKET_HIGH_WATER_BYTES) return void socket.send(data, TEXT);
      return new Promise<void>((resolve, reject) => socket.send(data, TEXT, (err) => (err ? reject(err) : resolve())));
    };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send,
        close: (code, reason) => socket.close(code, reason),
        onMessage(cb) {
          socket.on('message', (data) => {
            cb(String(data)).catch((err: unknown) => {
              log.error({ err }, 'graphql-ws: message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          });
        },
      },
      { socket, request, send, flush: () => writes.release(raw) } as SocketExtra & E,
    );

    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(ping);
      void closed(code, String(reason));
    });
  };
  wss.on('connection', onConnection);

  return {
    dispose() {
      wss.off('connection', onConnection);
      wss.off('error', onError);
      writes.flush();
    },
  };
}
