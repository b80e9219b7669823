/**
 * Resolves on the next turn of the event loop, after the I/O callbacks already waiting. Long
 * promise-only work (tagging a batch) calls it now and then: the store's driver finishes each
 * statement on this thread, so without a turn its commit, and every subscriber, waits for the
 * whole stretch.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
