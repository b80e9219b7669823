import { describe, expect, it } from 'vitest';
import { createReadinessRegistry } from '../../src/engine/readiness/readiness-registry.ts';
import type { ProbeResult } from '../../src/engine/readiness/readiness.ts';

describe('readiness registry', () => {
  it('is READY when every probe is UP and reports a change only when something changes', async () => {
    const registry = createReadinessRegistry();
    registry.register({ name: 'database', critical: true, check: () => ({ status: 'UP' }) });
    const first = await registry.refresh();
    expect(first.readiness.state).toBe('READY');
    expect(first.changed).toBe(true);
    expect((await registry.refresh()).changed).toBe(false);
  });

  it('is UNAVAILABLE when a critical probe is DOWN and DEGRADED when a non-critical one is', async () => {
    let db: ProbeResult = { status: 'UP' };
    let plugins: ProbeResult = { status: 'UP' };
    const registry = createReadinessRegistry();
    registry.register({ name: 'database', critical: true, check: () => db });
    registry.register({ name: 'plugins', critical: false, check: () => plugins });
    plugins = { status: 'DOWN', reason: 'example failed', hints: [{ code: 'plugin_failed', severity: 'WARNING', message: 'example failed to load' }] };
    const degraded = await registry.refresh();
    expect(degraded.readiness.state).toBe('DEGRADED');
    expect(degraded.readiness.hints.map((h) => h.code)).toEqual(['plugin_failed']);
    db = { status: 'DOWN', reason: 'gone' };
    expect((await registry.refresh()).readiness.state).toBe('UNAVAILABLE');
  });

  it('turns a throwing or hanging probe into DOWN with the reason', async () => {
    const registry = createReadinessRegistry({ probeTimeoutMs: 20 });
    registry.register({ name: 'thrower', critical: false, check: () => Promise.reject(new Error('boom')) });
    registry.register({ name: 'hanger', critical: false, check: () => new Promise<ProbeResult>(() => {}) });
    const { readiness } = await registry.refresh();
    expect(readiness.subsystems).toEqual([
      { name: 'hanger', status: 'DOWN', reason: 'probe timed out after 20 ms' },
      { name: 'thrower', status: 'DOWN', reason: 'probe failed: boom' },
    ]);
  });

  it('refuses two probes with one name', () => {
    const registry = createReadinessRegistry();
    registry.register({ name: 'database', critical: true, check: () => ({ status: 'UP' }) });
    expect(() => registry.register({ name: 'database', critical: true, check: () => ({ status: 'UP' }) })).toThrow(/already registered/);
  });
});
