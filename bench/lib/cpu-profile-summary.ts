import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a server's CPU went, from the `.cpuprofile` files `node --cpu-prof` writes at exit, counting
 * only samples inside a window of the monotonic clock (`process.hrtime.bigint()` in the parent and
 * V8's profile timestamps both read CLOCK_MONOTONIC on Linux), so start-up and shutdown do not dilute
 * the figures. Shares are of the busy (non-idle) time in the window. Areas group by folder: `src/<dir>/<dir>`,
 * `plugins/<name>`, `node_modules/<package>` or `node:` internals.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const REPO = `${path.resolve(fileURLToPath(new URL('../..', import.meta.url)))}/`;
const IDLE = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

export interface WindowNs {
  startNs: bigint;
  endNs: bigint;
}

export async function summariseCpuProfiles(dir: string, window: WindowNs, top = 15) {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const own = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let gc = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    let at = profile.startTime; // µs
    for (const [i, id] of profile.samples.entries()) {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (BigInt(Math.round(at * 1000)) < window.startNs || BigInt(Math.round(at * 1000)) > window.endNs) continue;
      const frame = byId.get(id)?.callFrame;
      if (!frame) continue;
      if (frame.functionName === '(idle)') idle += delta;
      else if (frame.functionName === '(garbage collector)') gc += delta;
      if (frame.functionName === '(idle)') continue;
      busy += delta;
      const key = IDLE.has(frame.functionName) ? frame.functionName : frameKey(frame);
      self.set(key, (self.get(key) ?? 0) + delta);
      const area = IDLE.has(frame.functionName) ? frame.functionName : areaOf(frame.url);
      areas.set(area, (areas.get(area) ?? 0) + delta);
      // Inclusive time of Gatehouse's own functions: each counted once per sample, however deep it recurs.
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
        const f = byId.get(at)?.callFrame;
        const file = f ? shortUrl(f.url) : '';
        if (!f || !(file.startsWith('src/') || file.startsWith('plugins/'))) continue;
        const key = frameKey(f);
        if (!seen.has(key)) (seen.add(key), own.set(key, (own.get(key) ?? 0) + delta));
      }
    }
  }
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: busy === 0 ? 0 : Math.round((1000 * us) / busy) / 1000 }));
  return {
    files: files.length,
    windowSeconds: Number(window.endNs - window.startNs) / 1e9,
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    garbageCollectorShare: busy === 0 ? 0 : Math.round((1000 * gc) / busy) / 1000,
    topSelf: ranked(self),
    /** Gatehouse functions (src/, plugins/) by time on the stack, callees included. */
    topInclusiveOwn: ranked(own),
    areas: ranked(areas),
  };
}

/** `name file[:line]`; tsx-compiled sources report line 1 for everything, so no line for those. */
function frameKey(frame: ProfileNode['callFrame']): string {
  const file = shortUrl(frame.url);
  return `${frame.functionName || '(anonymous)'} ${file}${frame.lineNumber > 0 ? `:${frame.lineNumber + 1}` : ''}`;
}

function shortUrl(url: string): string {
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  return file.startsWith(REPO) ? file.slice(REPO.length) : file;
}

function areaOf(url: string): string {
  const file = shortUrl(url);
  if (file === '') return '(native)';
  if (file.startsWith('node:')) return 'node: internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return `node_modules/${pkg[1]}`;
  if (file.startsWith('src/') || file.startsWith('plugins/')) return path.dirname(file).split('/').slice(0, 3).join('/');
  return file;
}
