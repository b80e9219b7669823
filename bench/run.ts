import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run bench [-- <name> ...]` runs every `bench/<name>.bench.ts`, or only the named ones, one
 * after another. A bench module's default export is an async function that returns a JSON-able
 * result; it is printed on stdout and written to `bench/results/<name>-<timestamp>.json` and
 * `bench/results/<name>-latest.json`. Progress goes to stderr. Exits 1 if any bench threw.
 */
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const SUFFIX = '.bench.ts';

type Bench = () => Promise<unknown>;

async function listBenches(): Promise<string[]> {
  const files = await readdir(BENCH_DIR);
  return files.filter((f) => f.endsWith(SUFFIX)).map((f) => f.slice(0, -SUFFIX.length)).sort();
}

/** Accepts `http`, `http.bench.ts` or `bench/http.bench.ts`. */
function toBenchName(arg: string): string {
  const base = path.basename(arg);
  return base.endsWith(SUFFIX) ? base.slice(0, -SUFFIX.length) : base;
}

async function loadBench(name: string): Promise<Bench> {
  const module: unknown = await import(pathToFileURL(path.join(BENCH_DIR, `${name}${SUFFIX}`)).href);
  const run = (module as { default?: unknown }).default;
  if (typeof run !== 'function') throw new Error(`bench/${name}${SUFFIX}: the default export must be an async function, got ${typeof run}`);
  return run as Bench;
}

/** ISO 8601 in UTC with ':' and '.' replaced by '-', so the file name is valid on every file system. */
function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

async function runBench(name: string): Promise<void> {
  const started = new Date();
  process.stderr.write(`bench ${name}: started ${started.toISOString()}\n`);
  const result = await (await loadBench(name))();
  const text = `${JSON.stringify(result, null, 2)}\n`;
  process.stdout.write(text);
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}-${fileTimestamp(started)}.json`);
  await writeFile(file, text);
  await writeFile(path.join(RESULTS_DIR, `${name}-latest.json`), text);
  process.stderr.write(`bench ${name}: wrote ${path.relative(process.cwd(), file)} in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s\n`);
}

async function main(args: string[]): Promise<number> {
  const available = await listBenches();
  const requested = [...new Set(args.map(toBenchName))];
  const unknown = requested.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench ${unknown.map((n) => JSON.stringify(n)).join(', ')}; available: ${available.join(', ') || 'none'}\n`);
    return 2;
  }
  let failed = 0;
  for (const name of requested.length > 0 ? requested : available) {
    try {
      await runBench(name);
    } catch (err) {
      failed += 1;
      process.stderr.write(`bench ${name}: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
