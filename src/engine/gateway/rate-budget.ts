/**
 * Requests per agent in a sliding 60-second window (governance budget `maxRequestsPerMinute`).
 * In memory, per instance; the scale-out issue moves it to shared storage.
 */
export interface RateBudget {
  /** Records a request for `agent` at `now` and says whether it is within `limit`. */
  take(agent: string, limit: number, now: number): boolean;
}

export function createRateBudget(windowMs = 60_000, maxAgents = 10_000): RateBudget {
  const hits = new Map<string, number[]>();
  return {
    take(agent, limit, now) {
      const list = (hits.get(agent) ?? []).filter((t) => t > now - windowMs);
      hits.delete(agent);
      if (hits.size >= maxAgents) hits.delete(hits.keys().next().value as string);
      if (list.length >= limit) {
        hits.set(agent, list);
        return false;
      }
      list.push(now);
      hits.set(agent, list);
      return true;
    },
  };
}
