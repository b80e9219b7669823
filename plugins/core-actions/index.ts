import { definePlugin } from '../../src/plugins/api.ts';
import { CORE_ACTION_KINDS, createCoreActionHandlers } from './core-action-handlers.ts';

/**
 * The built-in action handlers the policy gateway runs (DESIGN §7; CONVENTIONS "The core uses its own
 * extension API"): read_file, write_file (aliases edit, create), patch_file, delete_file, list_dir.
 * The gateway checks every target path before a handler runs; the handlers act only on the path it
 * checked and re-check it when they open it. README.md documents every param, result and dry run.
 *
 * Importing this module builds the definitions and their in-memory write queue; it does no I/O.
 */
export default definePlugin({
  name: 'core-actions',
  version: '1.0.0',
  apiVersion: '1.0.0',
  description: 'Built-in file actions for agents: read_file, write_file (edit, create), patch_file, delete_file, list_dir.',
  provides: {
    actions: [...CORE_ACTION_KINDS],
  },
  actions: createCoreActionHandlers(),
});
