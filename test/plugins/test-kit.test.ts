import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineLifter, type LifterDefinition } from '../../src/plugins/api.ts';
import { loadPluginForTest, runLifter, type TestEvent } from '../../src/testing/index.ts';
import { FIXTURES, label } from './fixtures.ts';

const HELLO = path.join(FIXTURES, 'good/hello-lifter');

const command = (at: string, text = 'whoami', host = 'web-1'): TestEvent => ({ sourceKind: 'command', occurredAt: at, host, payload: { command_text: text } });

const repeatRule = (params: Record<string, unknown> = {}) => ({
  ruleId: 'R9001',
  kind: 'lifter:repeated-command',
  params: { kind: 'lifter:repeated-command', threshold: 3, windowSeconds: 60, ...params },
});

describe('loadPluginForTest', () => {
  it('loads one plugin folder with the real checks and finds its lifters', async () => {
    const plugin = await loadPluginForTest(pathToFileURL(`${HELLO}/`));
    expect(plugin.record).toMatchObject({ name: 'hello-lifter', status: 'LOADED', version: '0.1.0' });
    expect(plugin.lifter('hello-lifter/repeated-command').owns).toEqual(['lifter:repeated-command']);
    expect(() => plugin.lifter('hello-lifter/nope')).toThrow('plugin hello-lifter has no lifter "hello-lifter/nope"; it has: hello-lifter/repeated-command');
    expect(() => plugin.action('write_file')).toThrow('plugin hello-lifter has no action "write_file"; it has: none');
    await plugin.dispose();
  });

  it('throws with every message when the plugin would be refused', async () => {
    const at = `plugin ${label('broken-manifest', 'broken-manifest')}: `;
    const attempt = loadPluginForTest(path.join(FIXTURES, 'broken-manifest/broken-manifest'));
    await expect(attempt).rejects.toThrow(`plugin ${label('broken-manifest', 'broken-manifest')} failed to load:\n  ${at}'version' must be a semver version like "1.4.2", got "one"\n  ${at}'apiVersion'`);
    await expect(attempt).rejects.toThrow(`\n  ${at}lifter "someone-else/echo" is defined but missing from 'provides.lifters'`);
  });

  it('needs the folders of the plugins it depends on', async () => {
    const middle = path.join(FIXTURES, 'dependency-order/b-middle');
    await expect(loadPluginForTest(middle)).rejects.toThrow(`plugin ${label('dependency-order', 'b-middle')}: depends on "c-base", which is not installed`);
    const plugin = await loadPluginForTest(middle, { dependencies: [path.join(FIXTURES, 'dependency-order/c-base')] });
    expect(plugin.record.status).toBe('LOADED');
    await plugin.dispose();
  });
});

describe('runLifter', () => {
  const lifterOf = async () => (await loadPluginForTest(HELLO)).lifter('hello-lifter/repeated-command');

  it('feeds events in order to one instance and returns the findings per event, windows on event time', async () => {
    const steps = await runLifter(await lifterOf(), {
      rules: [repeatRule()],
      events: [
        command('2025-03-01T12:00:00Z'),
        command('2025-03-01T12:00:20Z'),
        command('2025-03-01T12:00:30Z', 'id'),
        command('2025-03-01T12:00:40Z'),
        command('2025-03-01T12:05:00Z'),
        { ...command('2025-03-01T12:05:10Z'), occurredAt: new Date('2025-03-01T12:05:10Z') },
      ],
    });
    expect(steps.map((s) => s.findings)).toEqual([[], [], [], [{ ruleId: 'R9001', evidence: { count: 3, windowSeconds: 60 } }], [], []]);
    expect(steps[0]?.event).toEqual({
      sourceKind: 'command',
      sourceId: 'event-1',
      occurredAt: new Date('2025-03-01T12:00:00Z'),
      attackerId: null,
      sessionId: null,
      host: 'web-1',
      payload: { command_text: 'whoami' },
    });
  });

  it('passes each rule through the lifter\'s parseParams, naming the rule when it refuses', async () => {
    const lifter = await lifterOf();
    await expect(runLifter(lifter, { rules: [repeatRule({ threshold: 1 })], events: [] })).rejects.toThrow("rule R9001: 'threshold' must be an integer of at least 2, got 1");
    await expect(runLifter(lifter, { rules: [{ ruleId: 'R2', kind: 'lifter:brute-force' }], events: [] })).rejects.toThrow(
      'rule R2: kind "lifter:brute-force" is not owned by lifter hello-lifter/repeated-command (it owns lifter:repeated-command)',
    );
  });

  it('delivers only events the lifter handles, with only the rules that apply to their kind', async () => {
    const seen: string[] = [];
    const spy: LifterDefinition<Record<string, unknown>> = defineLifter({
      id: 'spy/all',
      description: 'Records what it gets.',
      handles: ['command', 'session'],
      owns: ['lifter:spy'],
      parseParams: (params) => ({ ...params }),
      create: () => ({
        process: ({ event, rules }) => (seen.push(`${event.sourceKind}:${rules.map((r) => r.ruleId).join(',')}`), []),
      }),
    });
    const steps = await runLifter(spy, {
      rules: [
        { ruleId: 'R1', kind: 'lifter:spy' },
        { ruleId: 'R2', kind: 'lifter:spy', appliesTo: ['session'] },
      ],
      events: [command('2025-03-01T12:00:00Z'), { sourceKind: 'http_request', occurredAt: '2025-03-01T12:00:01Z' }, { sourceKind: 'session', occurredAt: '2025-03-01T12:00:02Z' }],
    });
    expect(seen).toEqual(['command:R1', 'session:R1,R2']);
    expect(steps.map((s) => s.findings)).toEqual([[], [], []]);
  });

  it('fails the test when a lifter reports a rule it was not given', async () => {
    const rogue = defineLifter({
      id: 'rogue/lifter',
      description: 'Reports a rule it does not own.',
      handles: ['command'],
      owns: ['lifter:rogue'],
      parseParams: (params) => params,
      create: () => ({ process: () => [{ ruleId: 'R404' }] }),
    });
    await expect(runLifter(rogue, { rules: [{ ruleId: 'R1', kind: 'lifter:rogue' }], events: [command('2025-03-01T12:00:00Z')] })).rejects.toThrow(
      'lifter rogue/lifter returned a finding for rule "R404" on events[0], which is not one of the rules it was given for it',
    );
  });

  it('refuses an event time that is not a date', async () => {
    await expect(runLifter(await lifterOf(), { rules: [], events: [command('yesterday')] })).rejects.toThrow(
      'events[0].occurredAt must be a Date or an ISO 8601 string, got "yesterday"',
    );
  });
});
