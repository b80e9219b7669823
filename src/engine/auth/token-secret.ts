import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API token secrets. A token is `gh_` + 32 random bytes (base64url); only its SHA-256 is stored.
 * A salted slow hash buys nothing for 256-bit random secrets, and a fast hash keeps per-request
 * verification cheap.
 */
export const TOKEN_PREFIX = 'gh_';

export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A short, non-secret label shown in listings so people can tell tokens apart. */
export function tokenHint(secret: string): string {
  return secret.slice(0, TOKEN_PREFIX.length + 6);
}

export function isWellFormedTokenSecret(secret: string): boolean {
  return secret.startsWith(TOKEN_PREFIX) && /^[A-Za-z0-9_-]{43}$/.test(secret.slice(TOKEN_PREFIX.length));
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
