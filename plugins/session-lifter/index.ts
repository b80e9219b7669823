import { definePlugin } from '../../src/plugins/api.ts';
import { beaconingLifter } from './beaconing.ts';
import { stagingThenTransferLifter } from './staging-then-transfer.ts';

/**
 * Behaviour across a session or an attacker's activity over time: periodic beaconing
 * (`session`, `http_request`, `command` events) and data staged then sent out (`session` command
 * lists, or `command` events sharing a `sessionId`). Rules live in `rules/lifters/session-lifter/`;
 * README.md lists every parameter and the evidence each finding carries.
 */
export default definePlugin({
  name: 'session-lifter',
  version: '1.0.0',
  apiVersion: '1.0.0',
  description: 'Beaconing and staging-then-transfer, from session, command and http_request events.',
  provides: {
    lifters: ['session-lifter/beaconing', 'session-lifter/staging-then-transfer'],
  },
  lifters: [beaconingLifter, stagingThenTransferLifter],
});
