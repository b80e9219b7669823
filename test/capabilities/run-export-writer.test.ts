import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunExportWriter } from '../../src/capabilities/run-export-writer.ts';
import { loadAttackCatalogue } from '../../src/engine/attack/catalogue.ts';
import type { RunRecord } from '../../src/engine/runs/run.ts';
import { buildRunExport, type RunExportFile, type RunExportManifest } from '../../src/engine/runs/run-export.ts';
import type { RunStepResult } from '../../src/engine/runs/run-step-result.ts';
import { SETTINGS, tag } from '../engine/runs/run-fixtures.ts';

const EXPORTED_AT = new Date('2026-03-01T12:00:00Z');
const T0 = Date.parse('2026-03-01T11:00:00Z');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const RUN: RunRecord = {
  runId: 'run_20260301_110000_abc123',
  scenarioId: 'ssh-brute-force',
  scenarioName: 'SSH brute force',
  state: 'COMPLETED',
  endReason: null,
  message: null,
  overrides: {},
  params: { speed: 'max', ticksTotal: 1, eventsPerTick: 2, metricsEnabled: false, loggingEnabled: true },
  snapshot: {
    governance: { revision: 1, preset: null, settings: SETTINGS, hash: '1'.repeat(64) },
    rulePackHash: '2'.repeat(64),
    policyHash: null,
    scenarioHash: '3'.repeat(64),
    policySetHash: '4'.repeat(64),
    components: ['tagger'],
    ruleStates: [],
  },
  progress: { progress: 1, ticksCompleted: 1, ticksTotal: 1, eventsCompleted: 2, eventsTotal: 2, eventsPerSecond: 10, etaSeconds: null, virtualTime: new Date(T0 + 1000) },
  metrics: null,
  components: [],
  createdAt: new Date(T0),
  startedAt: new Date(T0),
  endedAt: new Date(T0 + 2000),
  startedBy: null,
  idempotencyKey: null,
  detailRetained: true,
  owner: null,
};

const STEPS: RunStepResult[] = [0, 1].map((index) => ({
  index,
  type: 'event',
  at: new Date(T0 + index * 1000),
  sourceKind: 'auth',
  sourceId: `auth-${index}`,
  requestId: null,
  input: { line: `Failed password for root from 10.0.0.${index}` },
  tags: [tag('R2001', 'T1110', 'T1110.001', 'TA0006')],
  decision: null,
  reasonCode: null,
  expect: null,
  verdict: 'UNLABELLED',
  outcome: 'alerted',
  error: null,
}));

async function bundleFiles(): Promise<RunExportFile[]> {
  const { files } = await buildRunExport({
    run: RUN,
    steps: STEPS,
    logs: [{ runId: RUN.runId, seq: 1, timestamp: new Date(T0), level: 'INFO', eventType: 'run_started', message: 'started', payload: {} }],
    scenarioYaml: 'id: ssh-brute-force\n',
    catalogue: loadAttackCatalogue(),
    versions: { gatehouse: '0.5.0', apiVersion: '1.2', attackRelease: '18.1' },
    now: EXPORTED_AT,
  });
  return files;
}

interface Unpacked {
  name: string;
  mode: number | undefined;
  mtime: Date | undefined;
  content: Buffer;
}

async function unpack(file: string): Promise<Unpacked[]> {
  const extract = tar.extract();
  const entries: Unpacked[] = [];
  const reading = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({ name: entry.header.name, mode: entry.header.mode, mtime: entry.header.mtime, content: Buffer.concat(chunks) });
    }
  })();
  await pipeline(Readable.from(await readFile(file)), createGunzip(), extract);
  await reading;
  return entries;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-exports-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run export writer', () => {
  it('writes a .tar.gz whose entries, under a folder named after the run, equal the files and verify against the manifest', async () => {
    const files = await bundleFiles();
    const written = await createRunExportWriter({ dir }).write(RUN.runId, files);
    const entries = await unpack(written.file);
    expect(entries.map((e) => e.name)).toEqual(files.map((f) => `${RUN.runId}/${f.name}`));
    for (const [i, e] of entries.entries()) {
      expect(e.content.equals(files[i]?.content ?? Buffer.alloc(0))).toBe(true);
      expect(e.mode).toBe(0o644);
      expect(e.mtime?.toISOString()).toBe(EXPORTED_AT.toISOString());
    }
    const manifest = JSON.parse((entries[0]?.content ?? Buffer.alloc(0)).toString('utf8')) as RunExportManifest;
    expect(manifest.files).toHaveLength(entries.length - 1);
    for (const listed of manifest.files) {
      const entry = entries.find((e) => e.name === `${RUN.runId}/${listed.name}`);
      expect(entry && sha256(entry.content)).toBe(listed.sha256);
      expect(entry?.content.length).toBe(listed.sizeBytes);
    }
  });

  it('reports the SHA-256 and size of the .tar.gz on disk and names the export after the run and that hash', async () => {
    const writer = createRunExportWriter({ dir });
    const written = await writer.write(RUN.runId, await bundleFiles());
    const bytes = await readFile(written.file);
    expect(written.sha256).toBe(sha256(bytes));
    expect(written.sizeBytes).toBe(bytes.length);
    expect(written.exportId).toBe(`${RUN.runId}-${written.sha256.slice(0, 12)}`);
    expect(written.file).toBe(path.join(dir, `${written.exportId}.tar.gz`));
    expect(writer.path(written.exportId)).toBe(written.file);
  });

  it('leaves nothing but the bundle in the directory', async () => {
    const written = await createRunExportWriter({ dir }).write(RUN.runId, await bundleFiles());
    expect(await readdir(dir)).toEqual([path.basename(written.file)]);
  });

  it('leaves no file behind when packing fails', async () => {
    const broken = [{ name: 'manifest.json', content: 'not a buffer' as unknown as Buffer }, { name: 'x.json', content: null as unknown as Buffer }];
    await expect(createRunExportWriter({ dir }).write(RUN.runId, broken)).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a run id or a file name that could leave the export directory or the run folder', async () => {
    const writer = createRunExportWriter({ dir });
    await expect(writer.write('../escape', [])).rejects.toThrow(`run export: run id "../escape" may hold only letters, digits, '_' and '-'`);
    await expect(writer.write(RUN.runId, [{ name: '../evil', content: Buffer.from('x') }])).rejects.toThrow('run export: file name "../evil" is not a plain file name');
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives no path for anything that is not an export id, nor for an export that does not exist', async () => {
    const writer = createRunExportWriter({ dir });
    const written = await writer.write(RUN.runId, await bundleFiles());
    for (const id of ['', '..', '../outside', `${written.exportId}/../x`, 'a\\b', `${written.exportId}.tar.gz`, '%2e%2e%2foutside', `.${RUN.runId}`, ' ', `${written.exportId}\0`]) {
      expect(writer.path(id)).toBeNull();
    }
    expect(writer.path(`${RUN.runId}-000000000000`)).toBeNull();
    expect(writer.path(written.exportId)).toBe(written.file);
  });
});
