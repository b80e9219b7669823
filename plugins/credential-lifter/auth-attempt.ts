import type { PluginEvent } from '../../src/plugins/api.ts';

/** The fields of an `auth_attempt` payload the credential lifters key on. */
export interface AuthAttempt {
  /** Lower-cased so `SSH` and `ssh` share a window. */
  readonly service: string;
  readonly username: string;
  readonly success: boolean;
  readonly srcIp: string;
}

/**
 * Reads an `auth_attempt` event's payload, or returns null for any other kind or shape.
 *
 * The engine validates payloads before a lifter sees them, so null only happens when a rule is
 * pointed at the wrong kind; ignoring such events beats throwing on every one of them (a throw
 * is counted as a lifter failure and would drown the real ones).
 */
export function toAuthAttempt(event: PluginEvent): AuthAttempt | null {
  if (event.sourceKind !== 'auth_attempt') return null;
  const { service, username, success, src_ip: srcIp } = event.payload;
  if (typeof service !== 'string' || typeof username !== 'string' || typeof success !== 'boolean' || typeof srcIp !== 'string') {
    return null;
  }
  return { service: service.toLowerCase(), username, success, srcIp };
}
