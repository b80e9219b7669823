import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION } from '../../src/plugins/api.ts';
import { parseBeaconingParams } from './beaconing.ts';
import plugin from './index.ts';
import { parseStagingThenTransferParams } from './staging-then-transfer.ts';
import { readRuleFiles, REPO_ROOT, RULES_DIR, toTestRule } from './test-harness.ts';

describe('session-lifter plugin', () => {
  it('declares exactly the lifters it registers, each owning one kind', () => {
    expect(plugin.name).toBe('session-lifter');
    expect(plugin.apiVersion).toBe(PLUGIN_API_VERSION);
    const lifters = plugin.lifters ?? [];
    expect(plugin.provides?.lifters).toEqual(lifters.map((l) => l.id));
    for (const lifter of lifters) {
      expect(lifter.id).toMatch(/^session-lifter\/[a-z0-9-]+$/);
      expect(lifter.owns).toHaveLength(1);
    }
  });

  it('ships rule files that this plugin owns, that its parseParams accepts and whose kinds it handles', () => {
    const files = readRuleFiles();
    const lifters = plugin.lifters ?? [];
    expect(files.map((f) => f.doc.rule_id)).toEqual(['R3101', 'R3102', 'R3103']);
    for (const { file, firstLine, doc } of files) {
      expect(path.basename(file).startsWith(`${String(doc.rule_id)}-`)).toBe(true);
      const schema = firstLine.replace('# yaml-language-server: $schema=', '');
      expect(path.resolve(RULES_DIR, schema)).toBe(path.join(REPO_ROOT, 'schemas/rule.schema.json'));
      const kind = (doc.match as { kind: string }).kind;
      const owner = lifters.find((l) => l.owns.includes(kind));
      expect(owner, `${kind} has no owner`).toBeDefined();
      if (!owner) continue;
      expect(() => toTestRule(owner, doc)).not.toThrow();
      for (const sourceKind of doc.applies_to as string[]) expect(owner.handles).toContain(sourceKind);
    }
  });
});

describe('session-lifter parameters', () => {
  it('returns typed beaconing parameters with defaults', () => {
    expect(parseBeaconingParams({ min_events: 6, max_jitter_cv: 0.1, window_minutes: 60 }, 'lifter:beaconing')).toEqual({
      minEvents: 6,
      maxJitterCv: 0.1,
      windowMinutes: 60,
      minIntervalSeconds: 1,
      keyBy: 'attacker',
      maxTrackedKeys: 10_000,
    });
  });

  it('rejects an unknown beaconing parameter and a key_by outside the list', () => {
    expect(() => parseBeaconingParams({ min_events: 6, max_jitter_cv: 0.1, window_minutes: 60, jitter: 0.2 }, 'lifter:beaconing')).toThrow(
      new Error(
        "lifter:beaconing: unknown parameter 'jitter' (known parameters: min_events, max_jitter_cv, window_minutes, min_interval_seconds, key_by, max_tracked_keys)",
      ),
    );
    expect(() => parseBeaconingParams({ min_events: 6, max_jitter_cv: 0.1, window_minutes: 60, key_by: 'ip' }, 'lifter:beaconing')).toThrow(
      new Error(`lifter:beaconing: 'key_by' must be one of "attacker", "src_ip", "host", "session", got "ip"`),
    );
  });

  it('rejects wrong types naming the parameter and quoting the value, all at once', () => {
    expect(() => parseBeaconingParams({ min_events: 2, max_jitter_cv: '10%' }, 'lifter:beaconing')).toThrow(
      new Error(
        "lifter:beaconing: 'min_events' must be an integer from 3 to 100000, got 2; " +
          `'max_jitter_cv' must be a number greater than 0 and at most 2, got "10%"; ` +
          "'window_minutes' is required (a number greater than 0 and at most 10080)",
      ),
    );
  });

  it('returns typed staging parameters and insists on absolute staging directories', () => {
    expect(parseStagingThenTransferParams({ window_minutes: 30 }, 'lifter:staging-then-transfer')).toEqual({
      windowMinutes: 30,
      stagingDirs: ['/tmp', '/var/tmp', '/dev/shm'],
      requireFileReference: true,
      maxTrackedSessions: 10_000,
    });
    expect(() => parseStagingThenTransferParams({ window_minutes: 30, staging_dirs: ['tmp'] }, 'lifter:staging-then-transfer')).toThrow(
      new Error(`lifter:staging-then-transfer: 'staging_dirs' must be a list of absolute paths, got ["tmp"]`),
    );
    expect(() => parseStagingThenTransferParams({ window_minutes: 30, require_file_reference: 'yes' }, 'lifter:staging-then-transfer')).toThrow(
      new Error(`lifter:staging-then-transfer: 'require_file_reference' must be true or false, got "yes"`),
    );
  });
});
