import type { Context } from '../context.ts';

export async function revokeApiToken(args: { input: { id: string } }, ctx: Context) {
  const apiToken = await ctx.tokens.revoke(args.input.id);
  ctx.log.info({ tokenId: apiToken.id }, 'api token revoked');
  return { apiToken };
}
