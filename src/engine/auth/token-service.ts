import { randomUUID } from 'node:crypto';
import { badInput, GatehouseError } from '../errors.ts';
import type { ApiToken, ApiTokenStore } from './api-token.ts';
import type { Principal } from './principal.ts';
import { isRole, type Role } from './roles.ts';
import { generateTokenSecret, hashTokenSecret, isWellFormedTokenSecret, tokenHint } from './token-secret.ts';

export interface CreateTokenInput {
  name: string;
  role: Role;
  agent?: string | null;
  agentRoles?: readonly string[] | null;
}

/**
 * How long a verified token is trusted from memory without the store confirming it: a revocation on
 * another instance applies within this. While tokens are in use, the cache is confirmed in the
 * background every VERIFY_CACHE_MS / 2 with one query for all of them (`activeIds`), which also
 * writes the due `lastUsedAt` updates in one statement, so a fleet of agents costs no lookup or
 * write per request; a token the query does not confirm leaves the cache.
 */
const VERIFY_CACHE_MS = 5_000;
/** `lastUsedAt` is written at most this often per token, to keep verification off the write path. */
const TOUCH_INTERVAL_MS = 60_000;
const NAME_PATTERN = /^[\p{L}\p{N} ._:@/-]{1,100}$/u;
const AGENT_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export interface TokenService {
  /** Creates a token; the secret is returned here once and never again. */
  create(input: CreateTokenInput, createdBy: string | null): Promise<{ secret: string; token: ApiToken }>;
  /** The principal for a presented secret, or null if it is unknown, malformed or revoked. */
  verify(secret: string): Promise<Principal | null>;
  revoke(id: string): Promise<ApiToken>;
  /**
   * Whether a token verified earlier is still valid: long-lived connections (graphql-ws) ask before
   * each new operation. Revocations on this instance apply at once; others within the cache time.
   */
  isActive(tokenId: string): Promise<boolean>;
}

export function toPrincipal(token: ApiToken): Principal {
  return { tokenId: token.id, name: token.name, role: token.role, agent: token.agent, agentRoles: token.agentRoles };
}

export function createTokenService(store: ApiTokenStore, now: () => Date = () => new Date()): TokenService {
  const cache = new Map<string, { principal: Principal; until: number }>();
  const activeById = new Map<string, { active: boolean; until: number }>();
  const lastTouch = new Map<string, number>();
  /** Tokens used since their last `lastUsedAt` write was due; written by the next confirmation. */
  const touchDue = new Set<string>();
  let nextConfirmAt = 0;
  let confirming = false;

  const noteUse = (tokenId: string, at: number) => {
    if ((lastTouch.get(tokenId) ?? 0) + TOUCH_INTERVAL_MS > at) return;
    lastTouch.set(tokenId, at);
    touchDue.add(tokenId);
  };

  /**
   * Confirms every cached token still exists unrevoked (extending its entry) and drops the others;
   * writes the due `lastUsedAt` updates. Only entries present when it starts are judged, so a token
   * verified meanwhile is not dropped for missing from the answer. A failure changes nothing: the
   * entries then expire on time and the next verifications ask the store one by one.
   */
  const confirm = async (at: number) => {
    confirming = true;
    try {
      const judged = [...cache].map(([hash, entry]) => ({ hash, entry }));
      const active = await store.activeIds([...new Set(judged.map((j) => j.entry.principal.tokenId))]);
      for (const { hash, entry } of judged) {
        if (cache.get(hash) !== entry) continue; // replaced or revoked meanwhile
        if (active.has(entry.principal.tokenId)) entry.until = Math.max(entry.until, at + VERIFY_CACHE_MS);
        else cache.delete(hash);
      }
      const touched = [...touchDue];
      touchDue.clear();
      if (touched.length > 0) await store.touchMany(touched, new Date(at));
    } catch {
      // See above: the cache expires on time without confirmation.
    } finally {
      confirming = false;
      nextConfirmAt = at + VERIFY_CACHE_MS / 2;
    }
  };

  const validate = (input: CreateTokenInput) => {
    const name = input.name.trim();
    if (!NAME_PATTERN.test(name)) throw badInput('name', `must be 1-100 letters, digits, spaces or ._:@/- characters, got ${JSON.stringify(input.name)}`);
    if (!isRole(input.role)) throw badInput('role', `must be one of viewer, operator, admin, agent, got ${JSON.stringify(input.role)}`);
    const agentRoles = [...new Set(input.agentRoles ?? [])];
    if (input.role === 'agent') {
      if (!input.agent || !AGENT_PATTERN.test(input.agent)) {
        throw badInput('agent', `an AGENT token needs an agent name of lowercase letters, digits and ._- (max 100), got ${JSON.stringify(input.agent ?? null)}`);
      }
      if (agentRoles.length === 0) throw badInput('agentRoles', 'an AGENT token needs at least one role the agent may act as');
      for (const r of agentRoles) {
        if (!AGENT_PATTERN.test(r)) throw badInput('agentRoles', `role names are lowercase letters, digits and ._-, got ${JSON.stringify(r)}`);
      }
    } else {
      if (input.agent) throw badInput('agent', `only AGENT tokens are bound to an agent; this token's role is ${input.role}`);
      if (agentRoles.length > 0) throw badInput('agentRoles', `only AGENT tokens carry agent roles; this token's role is ${input.role}`);
    }
    return { name, agent: input.role === 'agent' ? (input.agent as string) : null, agentRoles };
  };

  return {
    async create(input, createdBy) {
      const { name, agent, agentRoles } = validate(input);
      const secret = generateTokenSecret();
      const token = await store.insert({
        id: randomUUID(),
        name,
        role: input.role,
        agent,
        agentRoles,
        hint: tokenHint(secret),
        secretHash: hashTokenSecret(secret),
        createdAt: now(),
        createdBy,
      });
      return { secret, token };
    },
    async verify(secret) {
      if (!isWellFormedTokenSecret(secret)) return null;
      const hash = hashTokenSecret(secret);
      const at = now().getTime();
      const cached = cache.get(hash);
      if (cached && cached.until > at) {
        noteUse(cached.principal.tokenId, at);
        if (at >= nextConfirmAt && !confirming) void confirm(at);
        return cached.principal;
      }
      const token = await store.findBySecretHash(hash);
      if (!token || token.revokedAt) {
        cache.delete(hash);
        return null;
      }
      const principal = toPrincipal(token);
      cache.set(hash, { principal, until: at + VERIFY_CACHE_MS });
      if (nextConfirmAt === 0) nextConfirmAt = at + VERIFY_CACHE_MS / 2;
      // Asking the store anyway: a due `lastUsedAt` goes now, so a token used once shows it.
      if ((lastTouch.get(token.id) ?? 0) + TOUCH_INTERVAL_MS <= at) {
        lastTouch.set(token.id, at);
        touchDue.delete(token.id);
        await store.touchMany([token.id], new Date(at));
      }
      return principal;
    },
    async revoke(id) {
      const token = await store.revoke(id, now());
      if (!token) throw new GatehouseError('NOT_FOUND', `no API token with id ${JSON.stringify(id)}`, { type: 'ApiToken', id });
      // Revocation must take effect at once, not after the cache expires.
      for (const [hash, entry] of cache) if (entry.principal.tokenId === id) cache.delete(hash);
      activeById.set(id, { active: false, until: Number.POSITIVE_INFINITY });
      return token;
    },
    async isActive(tokenId) {
      const at = now().getTime();
      const known = activeById.get(tokenId);
      if (known && known.until > at) return known.active;
      const token = await store.findById(tokenId);
      const active = token !== null && token.revokedAt === null;
      activeById.set(tokenId, { active, until: active ? at + VERIFY_CACHE_MS : Number.POSITIVE_INFINITY });
      return active;
    },
  };
}
