import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { eventually } from '../helpers/tagging.ts';
import { MINI, writeScenarios } from './operator-fixtures.ts';

async function untar(bytes: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      files.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  await pipeline(Readable.from([bytes]), createGunzip(), extract);
  return files;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('exporting a run', () => {
  let t: TestApp;
  let runId: string;
  beforeAll(async () => {
    t = await startTestApp({ scenariosDir: await writeScenarios({ 'mini.yaml': MINI }) });
    runId = (await t.app.operator().runs.start({ scenarioId: 'mini', overrides: {}, idempotencyKey: null }, 'test')).run.runId;
    await eventually(async () => (await t.app.operator().runs.get(runId))?.state === 'COMPLETED', 10_000);
  });
  afterAll(() => t?.stop());

  it('serves a .tar.gz whose manifest hashes match its files', async () => {
    const res = await t.gql<{ exportRun: { export: { url: string; sha256: string; sizeBytes: number }; userErrors: unknown[] } }>(`mutation($r: String!) { exportRun(input: { runId: $r }) { export { url sha256 sizeBytes } userErrors { code message } } }`, { r: runId });
    expect(res.body.data?.exportRun.userErrors).toEqual([]);
    const link = res.body.data?.exportRun.export as { url: string; sha256: string; sizeBytes: number };
    const download = await fetch(`${t.origin}${link.url}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(link.sizeBytes);
    expect(sha256(bytes)).toBe(link.sha256);

    const files = await untar(bytes);
    const names = [...files.keys()].map((n) => n.replace(`${runId}/`, ''));
    expect(names).toEqual(['manifest.json', 'metrics.json', 'per_rule.csv', 'per_technique.csv', 'events.jsonl', 'logs.jsonl', 'navigator_layer.json', 'scenario.resolved.yaml']);
    const manifest = JSON.parse(String(files.get(`${runId}/manifest.json`))) as { files: { name: string; sha256: string; sizeBytes: number }[]; snapshot: { scenarioHash: string; policySetHash: string }; run: { runId: string; state: string } };
    expect(manifest.run).toMatchObject({ runId, state: 'COMPLETED' });
    expect(manifest.snapshot.policySetHash).toMatch(/^[0-9a-f]{64}$/);
    for (const f of manifest.files) {
      const content = files.get(`${runId}/${f.name}`) as Buffer;
      expect({ name: f.name, sha256: sha256(content), sizeBytes: content.length }).toEqual(f);
    }
    const events = String(files.get(`${runId}/events.jsonl`)).trim().split('\n').map((l) => JSON.parse(l) as { index: number; verdict: string; outcome: string });
    expect(events.map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
    expect(events[0]).toMatchObject({ verdict: 'TRUE_POSITIVE', outcome: 'alerted' });
    expect(String(files.get(`${runId}/per_rule.csv`)).split('\r\n')[0]).toBe('rule_id,tags,true_positives,false_positives,false_negatives,precision,recall');
    const layer = JSON.parse(String(files.get(`${runId}/navigator_layer.json`))) as { techniques: { techniqueID: string }[] };
    expect(layer.techniques.map((x) => x.techniqueID)).toContain('T1003.008');
  });

  it('needs a token, and refuses ids that are not export ids', async () => {
    expect((await fetch(`${t.origin}/exports/anything`)).status).toBe(401);
    const auth = { authorization: `Bearer ${t.adminToken}` };
    expect((await fetch(`${t.origin}/exports/..%2F..%2Fadmin.token`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${t.origin}/exports/${runId}-000000000000`, { headers: auth })).status).toBe(404);
  });

  it('answers NOT_FOUND for a run that does not exist', async () => {
    const res = await t.gql<{ exportRun: { userErrors: { code: string }[] } }>(`mutation { exportRun(input: { runId: "run_nope" }) { userErrors { code message } } }`);
    expect(res.body.data?.exportRun.userErrors[0]?.code).toBe('NOT_FOUND');
  });
});
