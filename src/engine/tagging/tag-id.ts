import { hash } from 'node:crypto';

/**
 * Tag identity (DESIGN §6): a UUIDv5 (RFC 9562, SHA-1 name-based) over
 * `source_kind|source_id|rule_id|rule_version|technique_id|sub_technique_id` (an absent sub-technique is
 * the empty string) in the fixed namespace below. The same event tagged by the same rule version always
 * gets the same id, which makes tag inserts idempotent across replays, restarts and instances.
 * Golden vectors: test/engine/tagging/tag-id.test.ts. Never change the namespace or the name format.
 */
export const TAG_ID_NAMESPACE = 'fd7ece87-22a6-4dae-bdde-8c251f3ecb60';

const NAMESPACE_BYTES = Buffer.from(TAG_ID_NAMESPACE.replaceAll('-', ''), 'hex');

export function uuidV5(namespace: Buffer, name: string): string {
  // One-shot crypto.hash is about twice as fast as createHash() for inputs this small (tag ids are
  // computed for every tag on the ingest path).
  const digest = hash('sha1', Buffer.concat([namespace, Buffer.from(name, 'utf8')]), 'buffer') as unknown as Buffer;
  digest[6] = ((digest[6] as number) & 0x0f) | 0x50;
  digest[8] = ((digest[8] as number) & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface TagIdentity {
  sourceKind: string;
  sourceId: string;
  ruleId: string;
  ruleVersion: number;
  techniqueId: string;
  subTechniqueId: string | null;
}

export function tagId(t: TagIdentity): string {
  return uuidV5(NAMESPACE_BYTES, [t.sourceKind, t.sourceId, t.ruleId, String(t.ruleVersion), t.techniqueId, t.subTechniqueId ?? ''].join('|'));
}
