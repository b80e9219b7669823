/**
 * Finds a run of observations, all less than `windowMs` apart, that includes event time `at` and
 * satisfies `accept`. Returns that run, oldest first, or null.
 *
 * Why not just "the window ending at `at`": events can arrive out of order. When `at` arrives late,
 * the burst it completes may end after it, so the candidate windows are the one ending at `at` and
 * those ending at each later observation less than `windowMs` after `at`. In order, only the first
 * candidate exists and this is a single pass. `sorted` must be oldest first.
 */
export function findWindow<T extends { readonly at: number }>(
  sorted: readonly T[],
  at: number,
  windowMs: number,
  accept: (run: readonly T[]) => boolean,
): readonly T[] | null {
  const ends = [at, ...sorted.filter((o) => o.at > at && o.at < at + windowMs).map((o) => o.at)];
  for (const end of ends) {
    // Same boundary as createEventTimeWindow: an entry exactly one window old is outside.
    const run = sorted.filter((o) => o.at > end - windowMs && o.at <= end);
    if (accept(run)) return run;
  }
  return null;
}
