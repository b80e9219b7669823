import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseCorpus, type CorpusRow } from '../../src/engine/tagging/corpus-row.ts';
import type { EventInput } from '../../src/engine/tagging/event-input.ts';

/** The labelled command corpus the benches replay: malicious and benign shell lines, in file order. */
export const COMMAND_CORPUS_FILE = fileURLToPath(new URL('../../test/corpus/command.jsonl', import.meta.url));

export interface CommandCorpus {
  rows: CorpusRow[];
  /** Rows that expect a technique or rule (the rest are benign negatives). */
  positiveRows: number;
}

export async function loadCommandCorpus(): Promise<CommandCorpus> {
  const rows = parseCorpus(await readFile(COMMAND_CORPUS_FILE, 'utf8'), 'test/corpus/command.jsonl');
  const bad = rows.filter((row) => row.source_kind !== 'command');
  if (bad.length > 0) throw new Error(`${COMMAND_CORPUS_FILE}: expected only command rows, line ${bad[0]?.line} is ${bad[0]?.source_kind}`);
  const positiveRows = rows.filter((row) => row.expected_techniques.length > 0 || row.expected_rule_ids.length > 0).length;
  return { rows, positiveRows };
}

/**
 * Event `n` of a stream that cycles the corpus: row `n mod rows`, with a source id unique within
 * `prefix` (a fresh prefix per run, so a replay into the same database is still all new events).
 */
export function commandEvent(corpus: CommandCorpus, n: number, prefix: string): EventInput {
  const row = corpus.rows[n % corpus.rows.length] as CorpusRow;
  return { sourceKind: 'command', sourceId: `${prefix}:${n}`, payload: row.payload };
}

/** `count` events from {@link commandEvent} as NDJSON, one line each, ending with a newline. */
export function commandNdjson(corpus: CommandCorpus, first: number, count: number, prefix: string): string {
  const lines: string[] = [];
  for (let n = first; n < first + count; n++) lines.push(JSON.stringify(commandEvent(corpus, n, prefix)));
  return `${lines.join('\n')}\n`;
}
