import type { ActionHandlerDefinition } from '../../src/plugins/api.ts';
import { createDeleteFileHandler } from './delete-file.ts';
import { listDirHandler } from './list-dir.ts';
import { createPatchFileHandler } from './patch-file.ts';
import { createPathQueue } from './path-queue.ts';
import { readFileHandler } from './read-file.ts';
import { createWriteFileHandler } from './write-file.ts';

/** The action kinds this plugin provides, as `provides.actions` must list them (aliases are not listed). */
export const CORE_ACTION_KINDS = ['read_file', 'write_file', 'patch_file', 'delete_file', 'list_dir'] as const;

/**
 * Builds the built-in action handlers with their shared state: one per-path queue, so every
 * mutation of a path (write, patch, delete) waits for the previous one. Each call builds a fresh,
 * independent set (tests build their own); the plugin entry calls it once.
 */
export function createCoreActionHandlers(): readonly ActionHandlerDefinition<unknown>[] {
  const mutations = createPathQueue();
  return [readFileHandler, createWriteFileHandler(mutations), createPatchFileHandler(mutations), createDeleteFileHandler(mutations), listDirHandler];
}
