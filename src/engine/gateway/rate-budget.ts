/**
 * Requests per agent in a sliding 60-second window (governance budget `maxRequestsPerMinute`).
 * `createRateBudget` keeps the window in memory, per instance: the embedded default, and what a replay
 * run uses on its virtual clock. Several instances share one window instead
 * (src/server/redis-rate-budget.ts, issue 6 §5).
 */
export interface RateBudget {
  /**
   * Records a request for `agent` at `now` (epoch ms) and says whether it is within `limit`; a request
   * over the limit is not recorded. `requestId` names the request being counted (a shared budget keys
   * its entry on it). The in-memory budget answers synchronously; a shared one returns a promise and
   * rejects when it cannot tell, which the decision pipeline treats as a denial (fail-closed).
   */
  take(agent: string, limit: number, now: number, requestId?: string): boolean | Promise<boolean>;
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
