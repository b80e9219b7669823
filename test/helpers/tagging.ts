import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A writable copy of a fixture rule pack (tests edit and delete files in it). */
export async function copyRules(fixture: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-rules-'));
  await cp(path.resolve(import.meta.dirname, '../fixtures/rules', fixture), dir, { recursive: true });
  return dir;
}

export function commandEvent(sourceId: string, command_text: string, extra: Record<string, unknown> = {}) {
  return { sourceKind: 'command', sourceId, occurredAt: '2026-11-23T10:00:00.000Z', attackerId: 'attacker-1', payload: { command_text }, ...extra };
}

export const INGEST = `mutation Ingest($events: [EventInput!]!, $key: String) {
  ingestEvents(input: { events: $events, idempotencyKey: $key }) {
    accepted rejected newEvents newTags deduplicated
    results { index accepted field error newTagIds }
    userErrors { code field message }
  }
}`;

/** Waits until `check` passes or `ms` elapse (rule reloads are asynchronous). */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
