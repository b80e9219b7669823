import { nextTurn } from '../engine/next-turn.ts';
import type { IngestSummary } from '../engine/tagging/tagging-service.ts';
import type { EventInput } from '../engine/tagging/event-input.ts';
import type { ContextFactory } from './context-factory.ts';
import { authorizeRoute, sendError, sendJson, type RouteHandler } from './plain-route.ts';

/** Line errors returned in the summary; the counts stay exact beyond this. */
const MAX_REPORTED_ERRORS = 1000;
const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json-lines'];

export interface NdjsonIngestOptions {
  contexts: ContextFactory;
  ingest(events: EventInput[]): Promise<IngestSummary>;
  batchSize?: number;
  maxLineBytes?: number;
}

/**
 * POST /ingest (issue #3 §D.2): NDJSON of any size, one event per line. The body is read as it
 * arrives and ingested in batches of 2000 events (fewer, larger transactions). One batch may be
 * committing while the next is read and tagged (the store works on its own thread); reading stops
 * while two are in hand, so a fast sender is slowed to the store's pace (backpressure) and memory
 * stays bounded. The answer comes after the last commit: a summary with per-line errors (line number
 * and reason).
 */
export function createNdjsonIngestRoute(options: NdjsonIngestOptions): RouteHandler {
  const batchSize = options.batchSize ?? 2000;
  const maxLine = options.maxLineBytes ?? 1024 * 1024;
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendError(res, 'BAD_REQUEST', `POST /ingest takes NDJSON; got ${req.method}`, { reason: 'method_not_allowed' });
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!NDJSON_TYPES.includes(type)) {
      return sendError(res, 'BAD_REQUEST', `content-type must be application/x-ndjson, got ${JSON.stringify(type || 'none')}`, { reason: 'unsupported_media_type' });
    }
    if (!(await authorizeRoute(options.contexts, req, res, 'operate'))) return;

    const totals = { lines: 0, accepted: 0, rejected: 0, newEvents: 0, newTags: 0 };
    const errors: { line: number; field: string | null; reason: string }[] = [];
    // Parse errors are found while reading, validation errors when a batch settles, so they arrive out
    // of line order; the answer lists the first MAX_REPORTED_ERRORS by line, kept bounded meanwhile.
    const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
    const reject = (line: number, field: string | null, reason: string) => {
      totals.rejected += 1;
      errors.push({ line, field, reason });
      if (errors.length >= 2 * MAX_REPORTED_ERRORS) errors.sort(byLine).length = MAX_REPORTED_ERRORS;
    };
    let batch: EventInput[] = [];
    let lineOf: number[] = [];
    const settle = (summary: IngestSummary, lines: readonly number[]) => {
      totals.accepted += summary.accepted;
      totals.newEvents += summary.newEvents;
      totals.newTags += summary.newTags;
      for (const r of summary.results) if (!r.accepted) reject(lines[r.index] as number, r.field, r.error ?? 'rejected');
    };
    // The batch handed over last, still committing; settled before the next one is handed over, so
    // at most two batches are in hand.
    let inFlight: Promise<void> | null = null;
    const flush = async () => {
      if (batch.length === 0) return;
      const lines = lineOf;
      const handed = options.ingest(batch).then((summary) => settle(summary, lines));
      batch = [];
      lineOf = [];
      const previous = inFlight;
      inFlight = handed;
      // Marked handled now; its failure is still raised by the await below or the final drain.
      handed.catch(() => undefined);
      if (previous) await previous;
    };
    const drain = async () => {
      await flush();
      const last = inFlight;
      inFlight = null;
      if (last) await last;
    };
    const take = async (text: string, line: number) => {
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        return reject(line, null, `not JSON: ${(err as Error).message}`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return reject(line, null, 'each line must be one JSON object (an event)');
      batch.push(value as EventInput);
      lineOf.push(line);
      if (batch.length >= batchSize) await flush();
    };

    let pending = '';
    let skipping = false; // inside an over-long line: drop bytes until its newline
    for await (const chunk of req) {
      let text = pending + (chunk as Buffer).toString('utf8');
      let newline = text.indexOf('\n');
      while (newline >= 0) {
        totals.lines += 1;
        if (skipping) skipping = false;
        else await take(text.slice(0, newline), totals.lines);
        text = text.slice(newline + 1);
        newline = text.indexOf('\n');
      }
      if (Buffer.byteLength(text) > maxLine) {
        if (!skipping) reject(totals.lines + 1, null, `line longer than ${maxLine} bytes`);
        skipping = true;
        text = '';
      }
      pending = text;
      // A buffered body arrives without a turn of the event loop; the batch committing meanwhile needs turns.
      await nextTurn();
    }
    if (pending.trim() !== '' && !skipping) await take(pending, ++totals.lines);
    await drain();
    const reported = errors.sort(byLine).slice(0, MAX_REPORTED_ERRORS);
    sendJson(res, 200, { ...totals, errors: reported, errorsTruncated: totals.rejected > reported.length });
  };
}
