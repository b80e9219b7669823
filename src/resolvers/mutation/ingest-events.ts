import { badInput } from '../../engine/errors.ts';
import type { EventInput } from '../../engine/tagging/event-input.ts';
import type { Context } from '../context.ts';

/** Most events one `ingestEvents` call takes (issue #3 §D.1); POST /ingest takes any number. */
export const INGEST_EVENTS_MAX = 1000;

export async function ingestEvents(args: { input: { events: EventInput[]; idempotencyKey?: string | null } }, ctx: Context) {
  const { events, idempotencyKey } = args.input;
  if (events.length > INGEST_EVENTS_MAX) throw badInput('events', `at most ${INGEST_EVENTS_MAX} events per call, got ${events.length}; use POST /ingest for bulk`);
  if (idempotencyKey !== undefined && idempotencyKey !== null && !/^[\w.:-]{1,128}$/.test(idempotencyKey)) {
    throw badInput('idempotencyKey', 'must be 1-128 letters, digits or _.:- characters');
  }
  const scope = `ingestEvents:${ctx.principal?.tokenId ?? 'anonymous'}`;
  const { value, deduplicated } = await ctx.idempotency.run(scope, idempotencyKey, () => ctx.tagging.ingest(events));
  return { ...value, deduplicated };
}
