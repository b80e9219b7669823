import type { CreateTokenInput } from '../../engine/auth/token-service.ts';
import type { Context } from '../context.ts';

/** Creates a token. The secret is in this response only; the server keeps its hash. */
export async function createApiToken(args: { input: CreateTokenInput }, ctx: Context) {
  const { secret, token } = await ctx.tokens.create(args.input, ctx.principal?.tokenId ?? null);
  ctx.log.info({ tokenId: token.id, role: token.role, agent: token.agent }, 'api token created');
  return { token: secret, apiToken: token };
}
