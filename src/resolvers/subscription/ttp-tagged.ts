import { badInput } from '../../engine/errors.ts';
import type { Tag } from '../../engine/tagging/tag.ts';
import type { TtpTaggedMessage } from '../../engine/tagging/tagging-service.ts';
import { selectedStream } from '../../engine/events/selected-stream.ts';
import type { Context } from '../context.ts';

export interface TtpTaggedFilter {
  sourceKind?: string | null;
  attackerId?: string | null;
  sessionId?: string | null;
  /** A parent id also matches its sub-techniques. */
  techniqueId?: string | null;
  tactic?: string | null;
  minConfidence?: number | null;
}

const REPLAY_PAGE = 500;

function tagMatches(tag: Tag, f: TtpTaggedFilter): boolean {
  return (
    (!f.techniqueId || tag.techniqueId === f.techniqueId || tag.subTechniqueId === f.techniqueId) &&
    (!f.tactic || tag.tactic === f.tactic) &&
    (f.minConfidence === undefined || f.minConfidence === null || tag.confidence >= f.minConfidence)
  );
}

function select(message: TtpTaggedMessage, f: TtpTaggedFilter): TtpTaggedMessage | null {
  if (message.runId !== null) return null; // replay runs never leak into the live stream
  if ((f.sourceKind && message.sourceKind !== f.sourceKind) || (f.attackerId && message.attackerId !== f.attackerId) || (f.sessionId && message.sessionId !== f.sessionId)) return null;
  // Without a tag-level filter every subscriber gets the published message itself (no copy per subscriber).
  if (!f.techniqueId && !f.tactic && (f.minConfidence === undefined || f.minConfidence === null)) return message;
  const tags = message.tags.filter((t) => tagMatches(t, f));
  return tags.length > 0 ? { ...message, tags } : null;
}

/**
 * Live tags, one message per source event with new tags. With `after` (a message's cursor) it first
 * replays later messages from the store, then continues live: it subscribes before reading the store
 * and skips live messages it already sent, so there is no gap and no duplicate (DESIGN §5). Without
 * `after` it is the live tail alone, as a plain selected stream (the fan-out hot path, issue 3).
 */
export function ttpTagged(args: { filter?: TtpTaggedFilter | null; after?: string | null }, ctx: Context): AsyncIterableIterator<TtpTaggedMessage> {
  const filter = args.filter ?? {};
  if (args.after === undefined || args.after === null) {
    return selectedStream(ctx.bus.subscribe('ttpTagged', { signal: ctx.signal }), (message) => select(message, filter));
  }
  return replayThenTail(args.after, filter, ctx);
}

async function* replayThenTail(after: string, filter: TtpTaggedFilter, ctx: Context): AsyncGenerator<TtpTaggedMessage> {
  // Checked on the first pull, as before: a bad cursor ends the stream with one error event.
  if (!/^\d{1,15}$/.test(after)) throw badInput('after', `must be a cursor from a previous ttpTagged message, got ${JSON.stringify(after)}`);
  let last = Number(after);
  const start = last;
  // Skipped by identity, not by "not newer than the last one": with several instances, commits (and
  // so live messages) need not arrive in cursor order (issue #6 §2).
  const replayed = new Set<number>();
  const live = ctx.bus.subscribe('ttpTagged', { signal: ctx.signal });
  try {
    for (;;) {
      const records = await ctx.tagStore.taggedSince(last, REPLAY_PAGE, null);
      const tags = new Map((await ctx.tagStore.tagsByIds(records.flatMap((r) => r.tagIds))).map((t) => [t.id, t]));
      for (const { tagIds, ...record } of records) {
        last = record.seq;
        replayed.add(record.seq);
        const message = select({ ...record, tags: tagIds.map((id) => tags.get(id)).filter((t): t is NonNullable<typeof t> => t !== undefined) }, filter);
        if (message) yield message;
      }
      if (records.length < REPLAY_PAGE) break;
    }
    for await (const message of live) {
      if (message.seq <= start || replayed.delete(message.seq)) continue;
      const selected = select(message, filter);
      if (selected) yield selected;
    }
  } finally {
    await live.return?.();
  }
}

export async function* ruleStateChanged(args: { ruleId?: string | null }, ctx: Context) {
  const live = ctx.bus.subscribe('ruleStateChanged', { signal: ctx.signal });
  try {
    for await (const change of live) if (!args.ruleId || change.ruleId === args.ruleId) yield change;
  } finally {
    await live.return?.();
  }
}
