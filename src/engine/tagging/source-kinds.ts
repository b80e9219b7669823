import { z } from 'zod';
import type { SourceKindDefinition } from '../../plugins/api.ts';

/**
 * The built-in source kinds and their payload schemas (issue #3 §C.1). Plugins may add kinds with
 * the same `SourceKindDefinition` shape. Payloads may carry extra fields (kept, and matchable by
 * rules); the listed fields are checked.
 */
function fromZod(kind: string, description: string, schema: z.ZodObject, fields: Record<string, string>): SourceKindDefinition {
  return {
    kind,
    description,
    fields,
    parsePayload(payload) {
      const result = schema.safeParse(payload);
      if (result.success) return result.data as Record<string, unknown>;
      const issue = result.error.issues[0] as z.core.$ZodIssue;
      const field = issue.path.join('.') || 'payload';
      const value = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), payload);
      throw new Error(`'${field}' ${issue.message.replace(/^Invalid input: /, '')}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
    },
  };
}

const text = (max = 65_536) => z.string().max(max);

export const BUILT_IN_SOURCE_KINDS: readonly SourceKindDefinition[] = [
  fromZod(
    'command',
    'A shell command line as typed.',
    z.looseObject({ command_text: text().min(1), cwd: text(4096).optional(), user: text(256).optional(), uid: z.number().int().optional(), host: text(256).optional() }),
    { command_text: 'the full command line', cwd: 'working directory', user: 'user name', uid: 'numeric user id', host: 'host name' },
  ),
  fromZod(
    'http_request',
    'An HTTP request as received by a web server.',
    z.looseObject({
      method: text(16).min(1),
      raw_url: text(16_384).min(1),
      user_agent: text(4096).optional(),
      headers: z.record(z.string(), z.string()).optional(),
      status: z.number().int().min(100).max(599).optional(),
    }),
    { method: 'HTTP method', raw_url: 'path and query exactly as received (not decoded)', user_agent: 'User-Agent header', headers: 'lower-cased header name → value (matched as JSON text)', status: 'response status' },
  ),
  fromZod(
    'auth_attempt',
    'One login attempt against a service.',
    z.looseObject({ service: text(64).min(1), username: text(256), success: z.boolean(), src_ip: text(64).min(1) }),
    { service: 'e.g. ssh, http-basic', username: 'account tried', success: 'whether it succeeded', src_ip: 'source address' },
  ),
  fromZod(
    'session',
    'An interactive session; each command is also ingested as a `command` event.',
    z.looseObject({
      commands: z.array(text().min(1)).max(10_000),
      started_at: z.iso.datetime({ offset: true }),
      ended_at: z.iso.datetime({ offset: true }).optional(),
      bytes_in: z.number().int().min(0).optional(),
      bytes_out: z.number().int().min(0).optional(),
      src_ip: text(64).optional(),
      username: text(256).optional(),
    }),
    { commands: 'command lines in order', started_at: 'ISO time', ended_at: 'ISO time', bytes_in: 'bytes received', bytes_out: 'bytes sent', src_ip: 'source address', username: 'account' },
  ),
  fromZod(
    'agent_action',
    'A request an AI agent made to the policy gateway.',
    z.looseObject({
      agent: text(256).min(1),
      role: text(256).min(1),
      spec_id: text(256).optional(),
      action: text(64).min(1),
      target_path: text(4096).optional(),
      params_text: text(1_100_000).optional(),
      rationale: text().optional(),
      decision: text(64).optional(),
    }),
    { agent: 'agent identity', role: 'role it acted as', spec_id: 'spec', action: 'action kind, e.g. write_file', target_path: 'path acted on', params_text: 'JSON text of all params', rationale: "the agent's stated reason", decision: 'gateway decision' },
  ),
];
