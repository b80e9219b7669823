import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ResolvedConfigInput } from '../../src/config.ts';
import type { DenialCode } from '../../src/engine/gateway/decision.ts';
import type { TestApp } from '../helpers/test-app.ts';

/** Shared helpers for the gateway suites (DESIGN §7): requests, audit, chain checks and file-system snapshots. */

const FIXTURES = fileURLToPath(new URL('../fixtures/gateway/', import.meta.url));
/** The shipped example policy plus SPEC-WIDE, SPEC-REVIEW and SPEC-TOOLS (see its specs.yaml). */
export const FIXTURE_POLICY = path.join(FIXTURES, 'policy');
/** A plugin folder holding `stalling-actions` (`stall_forever` never completes). */
export const FIXTURE_PLUGINS = path.join(FIXTURES, 'plugins');

/** The config's default limits; `limits` must be passed whole (src/config.ts). */
export const DEFAULT_LIMITS: ResolvedConfigInput['limits'] = {
  bodyBytes: 1024 * 1024,
  wsPayloadBytes: 1024 * 1024,
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 20000,
  maxTokens: 5000,
  subscriberQueue: 1000,
};

export interface SubmitInput {
  agent: string;
  role: string;
  specId: string;
  action: string;
  params?: unknown;
  rationale?: string;
  dryRun?: boolean;
}

export interface RequestView {
  requestId: string;
  status: 'APPROVED' | 'DENIED' | 'PENDING_APPROVAL';
  action: string;
  execution: string;
  targetPath: string | null;
  result: Record<string, unknown> | null;
  expiresAt: string | null;
  reason: { code: DenialCode; message: string } | null;
  shadowReason: { code: DenialCode; message: string } | null;
}

export const REQUEST_FIELDS = 'requestId status action execution targetPath result expiresAt reason { code message } shadowReason { code message }';
export const SUBMIT = `mutation Submit($input: SubmitRequestInput!) { submitRequest(input: $input) { request { ${REQUEST_FIELDS} } userErrors { code field message } } }`;

/** The agent every suite acts as by default (the token `t.tokenFor('agent')` makes). */
export const DEVELOPER = { agent: 'test-agent', role: 'developer' } as const;

/** Submits one request over GraphQL and returns it; fails the test on a GraphQL error or a user error. */
export async function submit(t: TestApp, token: string, input: SubmitInput): Promise<RequestView> {
  const res = await t.gql<{ submitRequest: { request: RequestView | null; userErrors: { message: string }[] } }>(SUBMIT, { input }, token);
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  const payload = res.body.data?.submitRequest;
  expect(payload?.userErrors).toEqual([]);
  if (!payload?.request) throw new Error(`submitRequest returned no request: ${JSON.stringify(res.body)}`);
  return payload.request;
}

/** Creates an agent token bound to `agent` with `agentRoles`. */
export async function agentToken(t: TestApp, agent: string, agentRoles: string[]): Promise<string> {
  const { secret } = await t.app.tokens().create({ name: `${agent} token`, role: 'agent', agent, agentRoles }, null);
  return secret;
}

export interface AuditView {
  seq: number;
  kind: string;
  decision: string | null;
  reasonCode: string | null;
}

/** Every audit entry of one request, oldest first. */
export async function auditFor(t: TestApp, requestId: string): Promise<AuditView[]> {
  const res = await t.gql<{ auditEvents: { edges: { node: AuditView }[] } }>(
    'query($r: String!) { auditEvents(filter: { requestId: $r }, first: 50) { edges { node { seq kind decision reasonCode } } } }',
    { r: requestId },
  );
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return (res.body.data?.auditEvents.edges ?? []).map((e) => e.node).reverse();
}

/** Asserts the log holds a DENIED entry with `code` for the request. */
export async function expectAuditedDenial(t: TestApp, requestId: string, code: DenialCode): Promise<void> {
  const entries = await auditFor(t, requestId);
  expect(entries.length, `audit entries of ${requestId}`).toBeGreaterThan(0);
  expect(entries).toContainEqual(expect.objectContaining({ decision: 'DENIED', reasonCode: code }));
}

export interface ChainView {
  ok: boolean;
  checked: number;
  firstBrokenAt: number | null;
  reason: string | null;
}

export async function verifyChain(t: TestApp): Promise<ChainView> {
  const res = await t.gql<{ verifyAuditChain: ChainView }>('{ verifyAuditChain { ok checked firstBrokenAt reason } }');
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!.verifyAuditChain;
}

export async function gatewayRequest(t: TestApp, requestId: string): Promise<RequestView | null> {
  const res = await t.gql<{ gatewayRequest: RequestView | null }>(`query($r: String!) { gatewayRequest(requestId: $r) { ${REQUEST_FIELDS} } }`, { r: requestId });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data?.gatewayRequest ?? null;
}

/** Calls the plain agent contract (`/request`, `/status`, `/policy`); `body` undefined means GET. */
export async function agentHttp(t: TestApp, route: string, token: string | null, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${t.origin}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/**
 * A governed tree in a fresh temp folder: `base/project` (the root), the sibling `base/project-evil`
 * sharing its name as a prefix, and `base/outside`. Snapshots cover all of `base`.
 */
export interface Project {
  base: string;
  root: string;
  evil: string;
  outside: string;
  cleanup(): Promise<void>;
}

const SEED: Record<string, string> = {
  'project/README.md': '# project\n',
  'project/docs/readme.md': 'docs\n',
  'project/docs/guide.md': 'guide\n',
  'project/docs/legal/terms.md': 'terms\n',
  'project/src/main.ts': 'export {};\n',
  'project/reviewer-only/notes.md': 'for reviewers\n',
  'project/secrets/token.txt': 's3cret\n',
  'project-evil/payload.txt': 'evil\n',
  'outside/secret.txt': 'outside\n',
};

export async function createProject(): Promise<Project> {
  // Canonical, as the gateway reports target paths (a temp dir may sit behind a symlink).
  const base = await realpath(await mkdtemp(path.join(tmpdir(), 'gatehouse-gateway-')));
  for (const [file, text] of Object.entries(SEED)) {
    await mkdir(path.dirname(path.join(base, file)), { recursive: true });
    await writeFile(path.join(base, file), text);
  }
  return {
    base,
    root: path.join(base, 'project'),
    evil: path.join(base, 'project-evil'),
    outside: path.join(base, 'outside'),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/**
 * Every entry below `dir` (symlinks not followed): kind, mode, size, mtime, content hash or link
 * target. Equal snapshots mean nothing was created, removed, written or re-linked.
 */
export async function snapshot(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const stats = await lstat(current);
    const rel = path.relative(dir, current) || '.';
    let detail = '';
    if (stats.isSymbolicLink()) detail = `-> ${await readlink(current)}`;
    else if (stats.isFile()) detail = createHash('sha256').update(await readFile(current)).digest('hex');
    lines.push(`${rel} ${stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'link' : 'file'} ${stats.mode} ${stats.size} ${stats.mtimeMs} ${detail}`);
    if (stats.isDirectory()) for (const name of (await readdir(current)).sort()) await walk(path.join(current, name));
  };
  await walk(dir);
  return lines;
}

export const DECIDE = `mutation Decide($input: DecideApprovalInput!) { decideApproval(input: $input) { request { ${REQUEST_FIELDS} } userErrors { code field message } } }`;

/** An operator's decision on a pending request: the payload as GraphQL returns it. */
export async function decide(t: TestApp, token: string, requestId: string, approve: boolean, reason?: string) {
  const res = await t.gql<{ decideApproval: { request: RequestView | null; userErrors: { code: string; field: string | null; message: string }[] } }>(DECIDE, { input: { requestId, approve, reason } }, token);
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!.decideApproval;
}

/**
 * Waits until the server has at least `count` live subscriptions (the public `/metrics` gauge), so a
 * test publishes only after a WebSocket subscription is really listening.
 */
export async function waitForSubscribers(t: TestApp, count: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const text = await (await fetch(`${t.origin}/metrics`)).text();
    const active = Number(/^gatehouse_subscriptions_active (\d+)/m.exec(text)?.[1] ?? 0);
    if (active >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} subscriptions became active`);
}
