import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/engine/gateway/audit.ts';
import { auditEntryHash, auditHashInput, CHAIN_START, GENESIS_HASH, toAuditKey, verifyEntries, type HashedAuditFields } from '../../../src/engine/gateway/audit-hash.ts';

/*
 * Golden vectors, computed independently of canonical-json.ts with Python's own JSON and hashlib
 * (sorted keys, no whitespace, UTF-8; run from any directory):
 *
 * python3 -c 'import json,hashlib,hmac
 * d=lambda e: json.dumps(e,sort_keys=True,separators=(",",":"),ensure_ascii=False).encode()
 * e1={"seq":1,"id":"6f1c1b0e-4a55-4c3e-9d0a-2b7f51c3a901","at":"2024-05-06T07:08:09.123Z","kind":"decision","requestId":"req_20240506_070809_001","agent":"deployer","role":"developer","specId":"SPEC-7","action":"write_file","decision":"DENIED","reasonCode":"path_outside_root","details":{"path":"/etc/passwd","zeta":[1,2.5,None],"alpha":{"b":True,"a":"é\"\\"}},"origin":{"tokenId":"tok-1","tokenName":"deploy bot","transport":"http"},"dryRun":False,"runId":None,"prevHash":"0"*64}
 * h1=hashlib.sha256(d(e1)).hexdigest(); k1=hmac.new(b"test-key",d(e1),"sha256").hexdigest(); print(h1, k1)
 * e2={"seq":2,"id":"0b9e2f4c-93a1-4f0e-8d7a-5c6b4a3e2d10","at":"2024-05-06T07:08:10.000Z","kind":"policy_reloaded","requestId":None,"agent":None,"role":None,"specId":None,"action":None,"decision":None,"reasonCode":None,"details":{},"origin":{"tokenId":None,"tokenName":None,"transport":"system"},"dryRun":True,"runId":"run-42"}
 * print(hashlib.sha256(d(dict(e2,prevHash=h1))).hexdigest(), hmac.new(b"test-key",d(dict(e2,prevHash=k1)),"sha256").hexdigest())'
 */
const ENTRY_1: HashedAuditFields = {
  seq: 1,
  id: '6f1c1b0e-4a55-4c3e-9d0a-2b7f51c3a901',
  at: new Date('2024-05-06T07:08:09.123Z'),
  kind: 'decision',
  requestId: 'req_20240506_070809_001',
  agent: 'deployer',
  role: 'developer',
  specId: 'SPEC-7',
  action: 'write_file',
  decision: 'DENIED',
  reasonCode: 'path_outside_root',
  details: { path: '/etc/passwd', zeta: [1, 2.5, null], alpha: { b: true, a: 'é"\\' } },
  origin: { tokenId: 'tok-1', tokenName: 'deploy bot', transport: 'http' },
  dryRun: false,
  runId: null,
};
const ENTRY_2: HashedAuditFields = {
  seq: 2,
  id: '0b9e2f4c-93a1-4f0e-8d7a-5c6b4a3e2d10',
  at: new Date('2024-05-06T07:08:10.000Z'),
  kind: 'policy_reloaded',
  requestId: null,
  agent: null,
  role: null,
  specId: null,
  action: null,
  decision: null,
  reasonCode: null,
  details: {},
  origin: { tokenId: null, tokenName: null, transport: 'system' },
  dryRun: true,
  runId: 'run-42',
};
const KEY = Buffer.from('test-key', 'utf8');
const SHA_1 = '79f2964a7e29c38d9cf258f8d936881eb13dc13bea7b4ae35b3f63b1adfa412d';
const SHA_2 = '8c4b21bdf327b8036c42c77c120003937650321d93fc5689253b036f7c73eb9d';
const HMAC_1 = '0dc29612bf02075d03d222efc5f5d5d3999e5e647b750d5634ac51c9e468191c';
const HMAC_2 = 'b6e31e501ac5c67d605b87c19b42c5f0c5e4ca889e0fa0ab760c15b38a22647c';

function chain(key: Buffer | null): AuditEntry[] {
  const first = { ...ENTRY_1, prevHash: GENESIS_HASH, hash: auditEntryHash(ENTRY_1, GENESIS_HASH, key) };
  return [first, { ...ENTRY_2, prevHash: first.hash, hash: auditEntryHash(ENTRY_2, first.hash, key) }];
}

describe('audit hash', () => {
  it('starts the chain from sixty-four zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('hashes exactly the canonical JSON of the entry and its link, keys sorted and no whitespace', () => {
    expect(auditHashInput(ENTRY_2, SHA_1)).toBe(
      '{"action":null,"agent":null,"at":"2024-05-06T07:08:10.000Z","decision":null,"details":{},"dryRun":true,"id":"0b9e2f4c-93a1-4f0e-8d7a-5c6b4a3e2d10",' +
        '"kind":"policy_reloaded","origin":{"tokenId":null,"tokenName":null,"transport":"system"},' +
        `"prevHash":"${SHA_1}","reasonCode":null,"requestId":null,"role":null,"runId":"run-42","seq":2,"specId":null}`,
    );
  });

  it('matches the golden SHA-256 vectors without a key', () => {
    expect(auditEntryHash(ENTRY_1, GENESIS_HASH)).toBe(SHA_1);
    expect(auditEntryHash(ENTRY_2, SHA_1, null)).toBe(SHA_2);
  });

  it('matches the golden HMAC-SHA256 vectors with a key', () => {
    expect(auditEntryHash(ENTRY_1, GENESIS_HASH, KEY)).toBe(HMAC_1);
    expect(auditEntryHash(ENTRY_2, HMAC_1, KEY)).toBe(HMAC_2);
    expect(toAuditKey('test-key')).toEqual(KEY);
    expect(toAuditKey(undefined)).toBeNull();
  });

  it('ignores key order and an entry’s own hash, but not a changed value', () => {
    const reordered = { ...ENTRY_1, details: { alpha: { a: 'é"\\', b: true }, zeta: [1, 2.5, null], path: '/etc/passwd' } };
    expect(auditEntryHash({ ...reordered, hash: 'x', prevHash: 'y' } as AuditEntry, GENESIS_HASH)).toBe(SHA_1);
    expect(auditEntryHash({ ...ENTRY_1, dryRun: true }, GENESIS_HASH)).not.toBe(SHA_1);
    expect(auditEntryHash({ ...ENTRY_1, at: new Date(ENTRY_1.at.getTime() + 1) }, GENESIS_HASH)).not.toBe(SHA_1);
  });

  it('verifies an intact chain and says where to continue from', () => {
    const entries = chain(KEY);
    expect(verifyEntries(entries, KEY, CHAIN_START)).toEqual({ ok: true, checked: 2, last: { seq: 2, hash: HMAC_2 } });
    expect(verifyEntries(entries.slice(1), KEY, { seq: 1, hash: HMAC_1 })).toEqual({ ok: true, checked: 1, last: { seq: 2, hash: HMAC_2 } });
    expect(verifyEntries([], KEY, CHAIN_START)).toEqual({ ok: true, checked: 0, last: CHAIN_START });
  });

  it('reports an edited entry as a hash mismatch at its seq', () => {
    const [first, second] = chain(null) as [AuditEntry, AuditEntry];
    const edited = { ...second, details: { note: 'nothing to see' } };
    expect(verifyEntries([first, edited], null, CHAIN_START)).toEqual({ ok: false, checked: 1, firstBrokenAt: 2, reason: 'hash mismatch' });
  });

  it('reports a re-linked entry as a broken link and a missing one as a seq gap at the missing seq', () => {
    const [first, second] = chain(null) as [AuditEntry, AuditEntry];
    expect(verifyEntries([first, { ...second, prevHash: GENESIS_HASH }], null, CHAIN_START)).toMatchObject({ ok: false, firstBrokenAt: 2, reason: 'broken link' });
    expect(verifyEntries([second], null, CHAIN_START)).toEqual({ ok: false, checked: 0, firstBrokenAt: 1, reason: 'seq gap' });
  });

  it('fails at the first entry when verified with the wrong key or none', () => {
    expect(verifyEntries(chain(KEY), Buffer.from('other-key'), CHAIN_START)).toMatchObject({ ok: false, checked: 0, firstBrokenAt: 1, reason: 'hash mismatch' });
    expect(verifyEntries(chain(KEY), null, CHAIN_START)).toMatchObject({ ok: false, firstBrokenAt: 1, reason: 'hash mismatch' });
  });

  it('counts an entry whose fields cannot be hashed as a hash mismatch instead of throwing', () => {
    const [first] = chain(null) as [AuditEntry];
    expect(verifyEntries([{ ...first, at: new Date(Number.NaN) }], null, CHAIN_START)).toMatchObject({ ok: false, firstBrokenAt: 1, reason: 'hash mismatch' });
  });
});
