import type { Socket } from 'node:net';

export interface WriteCoalescer {
  /** Holds `socket`'s writes back until the current event-loop turn has run (idempotent per turn). */
  hold(socket: Socket): void;
  /** Releases `socket` now, if held: its writer knows it has nothing more to add this turn. */
  release(socket: Socket): void;
  /** Releases every held socket now (on shutdown). */
  flush(): void;
}

/**
 * Coalesces the frames written to each socket during one event-loop turn into one `writev` (issue 3,
 * fan-out bench: a published batch of 20 events was 20 syscalls per subscriber socket, and as many
 * reads on the other end). A socket is corked on its first write in a turn and uncorked by one
 * `setImmediate` shared by every socket, which runs once the turn's callbacks and microtasks — all
 * deliveries of the events published in it — are done. Node counts cork/uncork pairs, so the ws
 * library's own cork around a frame's header and body nests inside this one.
 */
export function createWriteCoalescer(): WriteCoalescer {
  const held = new Set<Socket>();
  let scheduled: NodeJS.Immediate | null = null;

  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    for (const socket of held) socket.uncork();
    held.clear();
  };

  return {
    hold(socket) {
      if (held.has(socket)) return;
      socket.cork();
      held.add(socket);
      scheduled ??= setImmediate(flush);
    },
    release(socket) {
      if (held.delete(socket)) socket.uncork();
    },
    flush,
  };
}
