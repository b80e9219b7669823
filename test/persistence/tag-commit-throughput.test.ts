import { describe, expect, it } from 'vitest';
import { createTagRepository } from '../../src/persistence/repositories/tag-repository.ts';
import { makeEvent, makeTag, openTestDatabase } from './tagging-fixtures.ts';

/**
 * Prints commit throughput (20,000 events, one tag each, commits of 1,000) for a temp-file SQLite
 * database in WAL mode, the production default. A timing, so it asserts nothing about speed
 * (CONVENTIONS "Tests") and runs only on request: GATEHOUSE_THROUGHPUT=1 npx vitest run test/persistence
 */
describe.runIf(process.env.GATEHOUSE_THROUGHPUT === '1')('tag commit throughput', () => {
  it('commits 20,000 events with one tag each and prints events per second', async () => {
    const { db, close } = await openTestDatabase({ file: true });
    try {
      const store = createTagRepository(() => db.fork());
      const events = Array.from({ length: 20_000 }, (_, i) => makeEvent(`evt-${i}`));
      const tags = events.map((e) => makeTag(e));
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < events.length; i += 1000) await store.commit(events.slice(i, i + 1000), tags.slice(i, i + 1000), null);
      const wallS = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      console.log(
        `tag commit: 20000 events in ${wallS.toFixed(2)} s wall = ${Math.round(20_000 / wallS)} events/s; ` +
          `${cpuS.toFixed(2)} s CPU = ${Math.round(20_000 / cpuS)} events per CPU-second`,
      );
      expect(await store.countEvents(null)).toBe(20_000);
    } finally {
      await close();
    }
  }, 120_000);
});
