import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Typed configuration. The only module that reads `process.env`: everything else receives a `Config`.
 * Precedence: built-in defaults < `gatehouse.config.yaml` < environment variables (issue #2).
 */

export const MODES = ['development', 'production'] as const;
export type Mode = (typeof MODES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const booleanish = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
]);

/** The installed Gatehouse folder: bundled rules and plugins live here, whatever the working directory. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(4000),
    dataDir: z.string().min(1).default('./data'),
    mode: z.enum(MODES).default('development'),
    databaseUrl: z.string().min(1).optional(),
    logLevel: z.enum(LOG_LEVELS).optional(),
    /** Serve the bundled GraphiQL at GET /graphql. Default: on in development, off in production. */
    graphiql: booleanish.optional(),
    /** Allow schema introspection. Default: on in development, off in production. */
    introspection: booleanish.optional(),
    /** Origins allowed by CORS; empty means same-origin only. */
    corsOrigins: z.array(z.string()).default([]),
    limits: z
      .object({
        bodyBytes: z.coerce.number().int().positive().default(1024 * 1024),
        wsPayloadBytes: z.coerce.number().int().positive().default(1024 * 1024),
        maxDepth: z.coerce.number().int().positive().default(12),
        maxAliases: z.coerce.number().int().positive().default(30),
        maxCost: z.coerce.number().int().positive().default(20000),
        maxTokens: z.coerce.number().int().positive().default(5000),
        subscriberQueue: z.coerce.number().int().positive().default(1000),
      })
      .strict()
      .default({
        bodyBytes: 1024 * 1024,
        wsPayloadBytes: 1024 * 1024,
        maxDepth: 12,
        maxAliases: 30,
        maxCost: 20000,
        maxTokens: 5000,
        subscriberQueue: 1000,
      }),
    /** Rule pack folder (YAML rules, hot-reloaded). Default: the bundled `rules/`. */
    rulesDir: z.string().min(1).default(path.join(PACKAGE_ROOT, 'rules')),
    /** Plugin folders: the bundled `plugins/` plus any extra ones (GATEHOUSE_PLUGIN_DIRS, path-delimited). */
    pluginDirs: z.array(z.string().min(1)).default([]),
    /** npm packages to load as plugins. */
    pluginPackages: z.array(z.string().min(1)).default([]),
    /** Any plugin that fails to load stops start-up. */
    strictPlugins: booleanish.default(false),
    /** Watch rules/ and apply edits without a restart. */
    watchRules: booleanish.default(true),
    /** Gateway policy folder (specs, jurisdictions, protected paths, approvals). Default: the bundled `policy/`. */
    policyDir: z.string().min(1).default(path.join(PACKAGE_ROOT, 'policy')),
    /** The tree agents act on; every action path must resolve inside it. Default: `<dataDir>/workspace`. */
    projectRoot: z.string().min(1).optional(),
    /** Gateway governance mode: `enforce` denies; `shadow` records would-be denials and allows. */
    gatewayMode: z.enum(['enforce', 'shadow']).default('enforce'),
    /** Most gateway requests one agent may make in any 60 seconds. */
    maxRequestsPerMinute: z.coerce.number().int().positive().default(120),
    /** How long a request waits for an operator before it is denied `approval_expired`. */
    approvalTtlSeconds: z.coerce.number().int().positive().default(900),
    /** Tags below this confidence are dropped (a governance knob). */
    confidenceFloor: z.coerce.number().min(0).max(1).default(0.3),
    /** Scenario folder (`*.yaml`, hot-reloaded; presets in `presets/governance.yaml`). Default: the bundled `scenarios/`. */
    scenariosDir: z.string().min(1).default(path.join(PACKAGE_ROOT, 'scenarios')),
    /** Replay runs executing at once; more wait in FIFO order. */
    maxConcurrentRuns: z.coerce.number().int().min(1).max(64).default(1),
    /** Most steps one replay run may have (a governance budget; this is its default). */
    maxEventsPerRun: z.coerce.number().int().positive().default(1_000_000),
    /** Redis for scale-out (issue #6): every subscription topic, control announcements, shared budgets. Unset: in-process pub/sub. */
    redisUrl: z.string().min(1).optional(),
    /** Prefix of every Redis key and channel, so deployments (and test runs) sharing a Redis stay apart. */
    redisKeyPrefix: z.string().min(1).max(100).default('gatehouse:'),
    /** This instance's name in run ownership, leases and heartbeats. Default: `<hostname>:<pid>`. */
    instanceId: z.string().min(1).max(200).optional(),
    /** Seconds a run's owner holds its lease without renewing before another instance ends the run FAULT (interrupted). */
    runLeaseSeconds: z.coerce.number().int().min(3).max(3600).default(30),
    /** Runs whose events, tags, decisions and logs are kept; older runs keep their summary only. */
    runRetention: z.coerce.number().int().min(1).default(20),
    /** Seconds between readiness probes (readinessChanged is published on change). */
    readinessIntervalSeconds: z.coerce.number().positive().default(5),
    /** Seconds a graceful shutdown may take before connections are cut. */
    shutdownTimeoutSeconds: z.coerce.number().positive().default(8),
    /**
     * HMAC key for the audit chain (DESIGN §7). Without it entries are chained with plain SHA-256, which
     * anyone with database write access can recompute after editing a row; with it they cannot.
     */
    auditKey: z.string().min(1).optional(),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type ResolvedConfigInput = z.output<typeof configSchema>;

export interface Config extends Omit<ResolvedConfigInput, 'graphiql' | 'introspection' | 'logLevel' | 'pluginDirs' | 'projectRoot'> {
  /** Absolute path of the governed tree. */
  projectRoot: string;
  /** Every plugin folder to scan: the bundled one first, then the configured extras. */
  pluginDirs: string[];
  graphiql: boolean;
  introspection: boolean;
  logLevel: LogLevel;
  /** Absolute path of the data directory. */
  dataDir: string;
}

/** Environment variable → config key. Environment wins over the config file. */
const ENV_KEYS = {
  GATEHOUSE_HOST: 'host',
  GATEHOUSE_PORT: 'port',
  GATEHOUSE_DATA_DIR: 'dataDir',
  GATEHOUSE_MODE: 'mode',
  DATABASE_URL: 'databaseUrl',
  LOG_LEVEL: 'logLevel',
  GATEHOUSE_GRAPHIQL: 'graphiql',
  GATEHOUSE_INTROSPECTION: 'introspection',
  GATEHOUSE_RULES_DIR: 'rulesDir',
  GATEHOUSE_PLUGIN_DIRS: 'pluginDirs',
  GATEHOUSE_STRICT_PLUGINS: 'strictPlugins',
  GATEHOUSE_WATCH_RULES: 'watchRules',
  GATEHOUSE_AUDIT_KEY: 'auditKey',
  GATEHOUSE_POLICY_DIR: 'policyDir',
  GATEHOUSE_PROJECT_ROOT: 'projectRoot',
  GATEHOUSE_GATEWAY_MODE: 'gatewayMode',
  GATEHOUSE_MAX_REQUESTS_PER_MINUTE: 'maxRequestsPerMinute',
  GATEHOUSE_APPROVAL_TTL_SECONDS: 'approvalTtlSeconds',
  GATEHOUSE_CONFIDENCE_FLOOR: 'confidenceFloor',
  GATEHOUSE_SCENARIOS_DIR: 'scenariosDir',
  GATEHOUSE_MAX_CONCURRENT_RUNS: 'maxConcurrentRuns',
  GATEHOUSE_MAX_EVENTS_PER_RUN: 'maxEventsPerRun',
  GATEHOUSE_RUN_RETENTION: 'runRetention',
  REDIS_URL: 'redisUrl',
  GATEHOUSE_REDIS_PREFIX: 'redisKeyPrefix',
  GATEHOUSE_INSTANCE_ID: 'instanceId',
  GATEHOUSE_RUN_LEASE_SECONDS: 'runLeaseSeconds',
} as const satisfies Record<string, keyof ConfigInput>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Turns raw settings into a `Config`, or throws a `ConfigError` naming each bad setting and its value. */
export function parseConfig(raw: Record<string, unknown>, sources: Record<string, string> = {}, cwd = process.cwd()): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const origin = sources[key] ?? `config key '${key}'`;
      const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], raw);
      const shown = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : JSON.stringify(value);
      return `${origin}: ${issue.message} (got ${shown})`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const c = result.data;
  const dev = c.mode === 'development';
  return {
    ...c,
    dataDir: path.resolve(cwd, c.dataDir),
    rulesDir: path.resolve(cwd, c.rulesDir),
    policyDir: path.resolve(cwd, c.policyDir),
    scenariosDir: path.resolve(cwd, c.scenariosDir),
    projectRoot: c.projectRoot ? path.resolve(cwd, c.projectRoot) : path.join(path.resolve(cwd, c.dataDir), 'workspace'),
    pluginDirs: [path.join(PACKAGE_ROOT, 'plugins'), ...c.pluginDirs.map((d) => path.resolve(cwd, d))],
    graphiql: c.graphiql ?? dev,
    introspection: c.introspection ?? dev,
    logLevel: c.logLevel ?? 'info',
  };
}

/**
 * Loads configuration from `gatehouse.config.yaml` (or the file named by `GATEHOUSE_CONFIG`) and the environment.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const raw: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  const file = env.GATEHOUSE_CONFIG ?? 'gatehouse.config.yaml';
  const filePath = path.resolve(cwd, file);
  if (existsSync(filePath)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(filePath, 'utf8'));
    } catch (err) {
      throw new ConfigError(`config file ${file}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ConfigError(`config file ${file}: expected a mapping of settings, got ${JSON.stringify(parsed)}`);
      }
      for (const [key, value] of Object.entries(parsed)) {
        raw[key] = value;
        sources[key] = `config file ${file} key '${key}'`;
      }
    }
  } else if (env.GATEHOUSE_CONFIG) {
    throw new ConfigError(`GATEHOUSE_CONFIG: file not found (got ${JSON.stringify(env.GATEHOUSE_CONFIG)})`);
  }
  for (const [variable, key] of Object.entries(ENV_KEYS)) {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      raw[key] = key === 'pluginDirs' ? value.split(path.delimiter).filter(Boolean) : value;
      sources[key] = `environment variable ${variable}`;
    }
  }
  return parseConfig(raw, sources, cwd);
}
