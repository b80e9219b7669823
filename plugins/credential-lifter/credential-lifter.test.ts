import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION } from '../../src/plugins/api.ts';
import { parseBruteForceParams } from './brute-force.ts';
import { createBurstDetector } from './burst-detector.ts';
import plugin from './index.ts';
import { parsePasswordSprayingParams } from './password-spraying.ts';
import { authAttempt, readRuleFiles, REPO_ROOT, RULES_DIR, toTestRule } from './test-harness.ts';
import { parseValidAccountAfterFailuresParams } from './valid-account-after-failures.ts';

describe('credential-lifter plugin', () => {
  it('declares exactly the lifters it registers, each owning one kind and handling auth_attempt', () => {
    expect(plugin.name).toBe('credential-lifter');
    expect(plugin.apiVersion).toBe(PLUGIN_API_VERSION);
    const lifters = plugin.lifters ?? [];
    expect(plugin.provides?.lifters).toEqual(lifters.map((l) => l.id));
    for (const lifter of lifters) {
      expect(lifter.id).toMatch(/^credential-lifter\/[a-z0-9-]+$/);
      expect(lifter.owns).toHaveLength(1);
      expect(lifter.handles).toEqual(['auth_attempt']);
    }
    expect(new Set(lifters.flatMap((l) => l.owns)).size).toBe(lifters.length);
  });

  it('ships one rule file per lifter, each owned by this plugin and accepted by its parseParams', () => {
    const files = readRuleFiles();
    const lifters = plugin.lifters ?? [];
    expect(files.map((f) => f.doc.rule_id)).toEqual(['R3001', 'R3002', 'R3003', 'R3004']);
    for (const { file, firstLine, doc } of files) {
      expect(path.basename(file).startsWith(`${String(doc.rule_id)}-`)).toBe(true);
      expect(Number(String(doc.rule_id).slice(1))).toBeGreaterThanOrEqual(3001);
      expect(Number(String(doc.rule_id).slice(1))).toBeLessThanOrEqual(3099);
      const schema = firstLine.replace('# yaml-language-server: $schema=', '');
      expect(path.resolve(RULES_DIR, schema)).toBe(path.join(REPO_ROOT, 'schemas/rule.schema.json'));
      const kind = (doc.match as { kind: string }).kind;
      const owner = lifters.find((l) => l.owns.includes(kind));
      expect(owner, `${kind} has no owner`).toBeDefined();
      if (owner) expect(() => toTestRule(owner, doc)).not.toThrow();
    }
    expect(new Set(files.map((f) => (f.doc.match as { kind: string }).kind))).toEqual(new Set(lifters.flatMap((l) => l.owns)));
  });
});

describe('credential-lifter parameters', () => {
  it('returns typed parameters with defaults and lower-cased services', () => {
    expect(parseBruteForceParams({ threshold: 10, window_minutes: 5 }, 'lifter:brute-force')).toEqual({
      threshold: 10,
      windowMinutes: 5,
      services: null,
      maxTrackedKeys: 10_000,
    });
    expect(parseBruteForceParams({ threshold: 3, window_minutes: 0.5, services: ['SSH', 'ftp'], max_tracked_keys: 50 }, 'lifter:brute-force')).toEqual({
      threshold: 3,
      windowMinutes: 0.5,
      services: ['ssh', 'ftp'],
      maxTrackedKeys: 50,
    });
  });

  it('rejects an unknown parameter by name and lists the known ones', () => {
    expect(() => parseBruteForceParams({ threshold: 10, window_minutes: 5, treshold: 3 }, 'lifter:brute-force')).toThrow(
      new Error("lifter:brute-force: unknown parameter 'treshold' (known parameters: threshold, window_minutes, services, max_tracked_keys)"),
    );
  });

  it('rejects a wrong type naming the parameter and quoting the value', () => {
    expect(() => parseBruteForceParams({ threshold: 'ten', window_minutes: 5 }, 'lifter:brute-force')).toThrow(
      new Error(`lifter:brute-force: 'threshold' must be an integer from 2 to 100000, got "ten"`),
    );
    expect(() => parsePasswordSprayingParams({ min_distinct_usernames: 5, window_minutes: 5, services: [] }, 'lifter:password-spraying')).toThrow(
      new Error("lifter:password-spraying: 'services' must be a non-empty list of non-empty strings, got []"),
    );
    expect(() => parseValidAccountAfterFailuresParams({ min_failures: 5, window_minutes: -1 }, 'lifter:valid-account-after-failures')).toThrow(
      new Error("lifter:valid-account-after-failures: 'window_minutes' must be a number greater than 0 and at most 10080, got -1"),
    );
  });

  it('reports every problem at once, including missing parameters', () => {
    expect(() => parseBruteForceParams({ threshold: 1.5, max_tracked_keys: '10', extra: true }, 'lifter:brute-force')).toThrow(
      new Error(
        "lifter:brute-force: unknown parameter 'extra' (known parameters: threshold, window_minutes, services, max_tracked_keys); " +
          "'threshold' must be an integer from 2 to 100000, got 1.5; " +
          "'window_minutes' is required (a number greater than 0 and at most 10080); " +
          `'max_tracked_keys' must be an integer from 1 to 1000000, got "10"`,
      ),
    );
  });
});

describe('credential-lifter memory', () => {
  it('holds at most max_tracked_keys keys however many sources it sees', () => {
    const detector = createBurstDetector<string>({ windowMinutes: 5, maxTrackedKeys: 100, maxPerKey: 4, accept: (run) => run.length >= 2 });
    for (let i = 0; i < 20_000; i += 1) {
      const event = authAttempt({ minute: i / 1000, srcIp: `10.0.${i >> 8}.${i & 255}` });
      // Every second source fails twice, so the firing memory fills up too.
      detector.observe(String(i >> 1), event, 'root');
    }
    expect(detector.trackedKeys.window).toBeLessThanOrEqual(100);
    expect(detector.trackedKeys.fired).toBeLessThanOrEqual(100);
    expect(detector.trackedKeys.fired).toBeGreaterThan(0);
  });

  it('caps what one key holds when it never reaches a detection', () => {
    // Two usernames forever never make a spray of three; compaction keeps the key at one entry per name.
    const detector = createBurstDetector<string>({
      windowMinutes: 60,
      maxTrackedKeys: 10,
      maxPerKey: 8,
      compact: (run) => run.slice(-2),
      accept: (run) => new Set(run.map((o) => o.value)).size >= 3,
    });
    for (let i = 0; i < 5_000; i += 1) detector.observe('k', authAttempt({ minute: i / 1000 }), i % 2 === 0 ? 'a' : 'b');
    const run = detector.observe('k', authAttempt({ minute: 5 }), 'c');
    expect(run?.length).toBeLessThanOrEqual(8);
    expect(new Set(run?.map((o) => o.value))).toEqual(new Set(['a', 'b', 'c']));
  });
});
