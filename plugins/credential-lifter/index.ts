import { definePlugin } from '../../src/plugins/api.ts';
import { bruteForceLifter } from './brute-force.ts';
import { passwordGuessingLifter } from './password-guessing.ts';
import { passwordSprayingLifter } from './password-spraying.ts';
import { validAccountAfterFailuresLifter } from './valid-account-after-failures.ts';

/**
 * Credential attacks seen in `auth_attempt` events: brute force, password guessing, password
 * spraying, and a valid login right after failures. Each lifter owns one rule kind; the rules live in
 * `rules/lifters/credential-lifter/`. All windows run on event time, so a replay at any speed gives
 * the same findings. See README.md for every parameter and the evidence each finding carries.
 */
export default definePlugin({
  name: 'credential-lifter',
  version: '1.0.0',
  apiVersion: '1.0.0',
  description: 'Brute force, password guessing, password spraying and valid-account use after failures, from auth_attempt events.',
  provides: {
    // Written out, not computed from the definitions: the manifest is data a reader (and the host)
    // checks against what the plugin really registers.
    lifters: [
      'credential-lifter/brute-force',
      'credential-lifter/password-guessing',
      'credential-lifter/password-spraying',
      'credential-lifter/valid-account-after-failures',
    ],
  },
  lifters: [bruteForceLifter, passwordGuessingLifter, passwordSprayingLifter, validAccountAfterFailuresLifter],
});
