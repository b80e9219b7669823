import type { Logger } from 'pino';
import type { Principal } from '../engine/auth/principal.ts';
import { GatehouseError } from '../engine/errors.ts';
import type { Context } from '../resolvers/context.ts';

/** The per-request part of a context that the composition root supplies (store-backed services). */
export type RequestServices = Pick<Context, 'tokenStore' | 'tagStore' | 'gatewayRequests'>;
export type SharedServices = Omit<Context, 'requestId' | 'transport' | 'principal' | 'log' | 'signal' | keyof RequestServices>;

export interface ContextFactory {
  /** Verifies an `Authorization` value. Null: no credentials. Throws UNAUTHENTICATED if presented but invalid. */
  authenticate(authorization: string | null | undefined): Promise<Principal | null>;
  /** For long-lived connections: false once the principal's token has been revoked. */
  isStillValid(principal: Principal): Promise<boolean>;
  create(principal: Principal | null, requestId: string, transport: Context['transport'], signal?: AbortSignal): Context;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function createContextFactory(deps: {
  shared: SharedServices;
  perRequest: () => RequestServices;
  log: Logger;
}): ContextFactory {
  return {
    async authenticate(authorization) {
      if (authorization === null || authorization === undefined || authorization === '') return null;
      const match = BEARER.exec(authorization);
      if (!match) {
        throw new GatehouseError('UNAUTHENTICATED', "the Authorization header must be 'Bearer <token>'", { reason: 'malformed_authorization' });
      }
      const principal = await deps.shared.tokens.verify(match[1] as string);
      if (!principal) {
        throw new GatehouseError('UNAUTHENTICATED', 'the API token is unknown or revoked', { reason: 'invalid_token' });
      }
      return principal;
    },
    isStillValid(principal) {
      return deps.shared.tokens.isActive(principal.tokenId);
    },
    create(principal, requestId, transport, signal) {
      let log: Context['log'] | undefined;
      return {
        ...deps.shared,
        ...deps.perRequest(),
        requestId,
        transport,
        principal,
        signal,
        // Built on first use: most requests log nothing.
        get log() {
          return (log ??= deps.log.child({ requestId, ...(principal ? { tokenId: principal.tokenId } : {}) }));
        },
      };
    },
  };
}
