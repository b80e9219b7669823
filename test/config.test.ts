import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const dir = () => mkdtempSync(path.join(tmpdir(), 'gatehouse-config-'));

describe('config', () => {
  it('defaults to 127.0.0.1:4000, ./data and development with GraphiQL and introspection on', () => {
    const cwd = dir();
    const config = loadConfig({}, cwd);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4000, dataDir: path.join(cwd, 'data'), mode: 'development', graphiql: true, introspection: true, logLevel: 'info' });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('turns GraphiQL and introspection off by default in production', () => {
    expect(loadConfig({ GATEHOUSE_MODE: 'production' }, dir())).toMatchObject({ graphiql: false, introspection: false });
    expect(loadConfig({ GATEHOUSE_MODE: 'production', GATEHOUSE_GRAPHIQL: 'true' }, dir()).graphiql).toBe(true);
  });

  it('lets the environment win over gatehouse.config.yaml', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'gatehouse.config.yaml'), 'port: 5000\nhost: 0.0.0.0\nlogLevel: debug\n');
    expect(loadConfig({ GATEHOUSE_PORT: '6000' }, cwd)).toMatchObject({ port: 6000, host: '0.0.0.0', logLevel: 'debug' });
  });

  it('stops with a message naming the variable and the value', () => {
    expect(() => loadConfig({ GATEHOUSE_PORT: 'eighty' }, dir())).toThrow(ConfigError);
    expect(() => loadConfig({ GATEHOUSE_PORT: 'eighty' }, dir())).toThrow(/environment variable GATEHOUSE_PORT: .*got "eighty"/);
    expect(() => loadConfig({ GATEHOUSE_MODE: 'staging' }, dir())).toThrow(/GATEHOUSE_MODE: .*got "staging"/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' }, dir())).toThrow(/LOG_LEVEL/);
  });

  it('reads the gateway settings and defaults the governed tree to <dataDir>/workspace', () => {
    const cwd = dir();
    expect(loadConfig({}, cwd)).toMatchObject({ projectRoot: path.join(cwd, 'data', 'workspace'), gatewayMode: 'enforce', maxRequestsPerMinute: 120, approvalTtlSeconds: 900 });
    expect(loadConfig({ GATEHOUSE_GATEWAY_MODE: 'shadow', GATEHOUSE_MAX_REQUESTS_PER_MINUTE: '30', GATEHOUSE_PROJECT_ROOT: '/srv/repo' }, cwd)).toMatchObject({
      gatewayMode: 'shadow',
      maxRequestsPerMinute: 30,
      projectRoot: '/srv/repo',
    });
    expect(() => loadConfig({ GATEHOUSE_GATEWAY_MODE: 'lenient' }, cwd)).toThrow(/GATEHOUSE_GATEWAY_MODE: .*got "lenient"/);
  });

  it('names unknown keys in the config file', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'gatehouse.config.yaml'), 'prot: 5000\n');
    expect(() => loadConfig({}, cwd)).toThrow(/prot/);
  });

  it('reports a config file that is not a mapping', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'gatehouse.config.yaml'), '- a\n- b\n');
    expect(() => loadConfig({}, cwd)).toThrow(/expected a mapping/);
  });
});
