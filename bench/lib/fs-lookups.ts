import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Stands in for the three filesystem lookups src/engine/gateway/canonical-path.ts makes
 * (`realpathSync.native`, `lstatSync`, `readlinkSync`), so a bench can run the shipped `checkRequest`
 * and see what its path checks cost without the system calls. `count` passes every call through and
 * counts it; `memo` also answers a lookup it has seen before from memory, value or error exactly as
 * the real call gave it (the memo lives as long as the returned object, across installs). Builtin ESM
 * named imports are live bindings, refreshed with `syncBuiltinESMExports()`.
 *
 * Only for a tree that does not change while installed, and `restore()` must follow every
 * `install()` (use try/finally): until then every fs user in this process sees the stand-ins.
 */
export type LookupMode = 'count' | 'memo';
type Lookup = (target: fs.PathLike) => unknown;

export interface FsLookups {
  calls: { realpath: number; lstat: number; readlink: number };
  install(mode: LookupMode): void;
  restore(): void;
}

export function createFsLookups(): FsLookups {
  const real = { realpath: fs.realpathSync.native, lstat: fs.lstatSync, readlink: fs.readlinkSync };
  const memo = new Map<string, { value: unknown } | { error: unknown }>();
  const calls = { realpath: 0, lstat: 0, readlink: 0 };

  const standIn = (name: keyof typeof calls, lookup: Lookup, mode: LookupMode) => (target: fs.PathLike) => {
    calls[name] += 1;
    if (mode === 'count') return lookup(target);
    const key = `${name}\0${String(target)}`;
    let known = memo.get(key);
    if (!known) {
      try {
        known = { value: lookup(target) };
      } catch (error) {
        known = { error };
      }
      memo.set(key, known);
    }
    if ('error' in known) throw known.error;
    return known.value;
  };

  const set = (realpath: unknown, lstat: unknown, readlink: unknown) => {
    fs.realpathSync.native = realpath as typeof fs.realpathSync.native;
    (fs as { lstatSync: unknown }).lstatSync = lstat;
    (fs as { readlinkSync: unknown }).readlinkSync = readlink;
    syncBuiltinESMExports();
  };

  return {
    calls,
    install(mode) {
      set(standIn('realpath', (t) => real.realpath(t), mode), standIn('lstat', (t) => real.lstat(t), mode), standIn('readlink', (t) => real.readlink(t), mode));
    },
    restore() {
      set(real.realpath, real.lstat, real.readlink);
    },
  };
}
