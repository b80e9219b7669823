/** One unlabelled sample from a Gatehouse `/metrics` page (Prometheus text), or null when absent. */
export async function readMetric(origin: string, name: string): Promise<number | null> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `)) return Number(line.slice(name.length + 1).trim());
  }
  return null;
}

/** Polls `gatehouse_subscriptions_active` until at least `count` subscriptions are live on the server. */
export async function waitForSubscriptions(origin: string, count: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const active = (await readMetric(origin, 'gatehouse_subscriptions_active')) ?? 0;
    if (active >= count) return active;
    if (Date.now() > deadline) throw new Error(`only ${active} of ${count} subscriptions live after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until `count()` reaches `expected`, or stops changing for `quietMs`, or `maxMs` passes. */
export async function waitForTail(count: () => number, expected: number, quietMs = 1000, maxMs = 15_000): Promise<number> {
  const started = Date.now();
  let last = count();
  let lastChange = Date.now();
  while (count() < expected && Date.now() - lastChange < quietMs && Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (count() !== last) ((last = count()), (lastChange = Date.now()));
  }
  return Date.now() - started;
}
