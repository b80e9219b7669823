/**
 * The plugin entry: `index.ts` (or `index.js`) default-exports `definePlugin({...})`.
 *
 * The manifest fields are plain data. The host checks them before registering anything: `name` must
 * equal the folder name, `apiVersion` must be compatible with the host (same major, host minor ≥
 * yours), and `provides` must list exactly the lifters (and actions, source kinds) you define.
 */
import { definePlugin } from '../../src/plugins/api.ts';
import { commandBurstLifter } from './command-burst.ts';

export default definePlugin({
  name: 'example-lifter',
  // Your plugin's own version; bump it when you release.
  version: '1.0.0',
  // The plugin API version you wrote against: PLUGIN_API_VERSION in src/plugins/api.ts.
  apiVersion: '1.0.0',
  description: 'Example lifter for third parties to copy: many distinct commands from one attacker in a short window.',
  provides: {
    lifters: ['example-lifter/command-burst'],
  },
  lifters: [commandBurstLifter],
});
