import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Finds plugin candidates without running any plugin code (issue "tagging" A.3): every folder under
 * each plugin dir (`.`/`_`-prefixed folders skipped) and every npm package named in the config.
 * Discovery never throws for a bad plugin: a folder with no entry becomes a candidate carrying its
 * error, and a plugin dir that does not exist is a problem, so everything else still loads.
 */
export interface PluginCandidate {
  /** The folder name, or the npm package name as configured. */
  readonly name: string;
  readonly source: 'folder' | 'package';
  /** Absolute entry file for a folder, the package specifier for a package; null when none was found. */
  readonly entry: string | null;
  /** Absolute folder path, or the package specifier. */
  readonly location: string;
  /** How messages name the candidate: `plugins/foo` (relative to the root when inside it) or `package @acme/foo`. */
  readonly label: string;
  /** Why the candidate cannot be loaded at all (e.g. no entry file), as a full message; else null. */
  readonly error: string | null;
}

export interface PluginDiscovery {
  /** Sorted by name; candidates with equal names keep the order of their plugin dirs, packages last. */
  readonly candidates: readonly PluginCandidate[];
  /** Problems not tied to one plugin, e.g. a configured plugin dir that does not exist. */
  readonly problems: readonly string[];
}

export interface DiscoverOptions {
  /** Folders whose subfolders are plugins, in precedence order (bundled `plugins/` first). */
  readonly pluginDirs: readonly string[];
  /** npm package names to load as plugins. */
  readonly packages: readonly string[];
  /** Folder that labels are relative to (default: the working directory). */
  readonly root?: string;
}

/** Entry files tried in order before package.json "main": TypeScript first, so no build step is needed. */
export const ENTRY_FILES = ['index.ts', 'index.js'] as const;

const NPM_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

export async function discoverPlugins(options: DiscoverOptions): Promise<PluginDiscovery> {
  const root = path.resolve(options.root ?? process.cwd());
  const candidates: PluginCandidate[] = [];
  const problems: string[] = [];
  const dirs = [...new Set(options.pluginDirs.map((dir) => path.resolve(root, dir)))];
  for (const dir of dirs) {
    const folders = await pluginFolders(dir);
    if (typeof folders === 'string') {
      problems.push(`plugin folder ${labelFor(dir, root)} ${folders}`);
      continue;
    }
    for (const folder of folders) candidates.push(await candidateFromFolder(path.join(dir, folder), root));
  }
  for (const spec of new Set(options.packages)) candidates.push(candidateFromPackage(spec));
  // Array.prototype.sort is stable, so equal names keep plugin-dir precedence.
  candidates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { candidates, problems };
}

/** Describes one plugin folder: its entry is `index.ts`, else `index.js`, else package.json "main". */
export async function candidateFromFolder(folder: string, root: string = process.cwd()): Promise<PluginCandidate> {
  const location = path.resolve(root, folder);
  const label = labelFor(location, root);
  const base = { name: path.basename(location), source: 'folder' as const, location, label };
  for (const file of ENTRY_FILES) {
    if (await isFile(path.join(location, file))) return { ...base, entry: path.join(location, file), error: null };
  }
  const main = await packageMain(location);
  if (main.kind === 'entry') return { ...base, entry: main.entry, error: null };
  const reason = main.kind === 'problem' ? main.reason : `has no entry file: add ${ENTRY_FILES.join(' or ')}, or a package.json "main"`;
  return { ...base, entry: null, error: `plugin ${label}: ${reason}` };
}

function candidateFromPackage(spec: string): PluginCandidate {
  const label = `package ${spec}`;
  const error = NPM_NAME.test(spec)
    ? null
    : `plugin ${label}: ${JSON.stringify(spec)} is not an npm package name; put plugin folders in a plugin dir instead`;
  return { name: spec, source: 'package', entry: error ? null : spec, location: spec, label, error };
}

/** Plugin folder names under `dir`, sorted, or why the dir cannot be read. */
async function pluginFolders(dir: string): Promise<string[] | string> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read: ${(err as Error).message}`;
  }
  const folders: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    // stat (not lstat) so a symlinked plugin folder counts as a folder.
    if (await isDirectory(path.join(dir, name))) folders.push(name);
  }
  return folders;
}

type MainLookup = { kind: 'entry'; entry: string } | { kind: 'problem'; reason: string } | { kind: 'none' };

async function packageMain(folder: string): Promise<MainLookup> {
  let text: string;
  try {
    text = await readFile(path.join(folder, 'package.json'), 'utf8');
  } catch {
    return { kind: 'none' };
  }
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch (err) {
    return { kind: 'problem', reason: `package.json is not valid JSON: ${(err as Error).message}` };
  }
  const main = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>).main : undefined;
  if (main === undefined) return { kind: 'none' };
  if (typeof main !== 'string' || main === '') {
    return { kind: 'problem', reason: `package.json "main" must be a file name, got ${JSON.stringify(main)}` };
  }
  const entry = path.resolve(folder, main);
  if (!(await isFile(entry))) return { kind: 'problem', reason: `package.json "main" names ${main}, which does not exist` };
  return { kind: 'entry', entry };
}

/** `location` relative to `root` with forward slashes when inside it, else absolute. */
export function labelFor(location: string, root: string): string {
  const relative = path.relative(root, location);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return location;
  return relative.split(path.sep).join('/');
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then((s) => s.isDirectory(), () => false);
}
