import type { PluginEvent, SourceKindDefinition } from '../../plugins/api.ts';

/** An event as clients send it (GraphQL `EventInput`, one NDJSON line of POST /ingest). */
export interface EventInput {
  sourceKind: string;
  sourceId: string;
  /** Event time; default: when it arrived. */
  occurredAt?: Date | string | null;
  attackerId?: string | null;
  sessionId?: string | null;
  host?: string | null;
  payload?: unknown;
}

export class EventInputError extends Error {
  override name = 'EventInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const ID = /^[\p{L}\p{N}._:/@#+=-]{1,256}$/u;

function optionalId(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new EventInputError(field, `'${field}' must be 1-256 letters, digits or ._:/@#+=- characters, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Validates one event against its source kind's payload schema. A `session` also yields one
 * `command` event per command (source id `<session id>#<n>`, same attacker, session and host) so
 * command rules see what was typed in it.
 */
export function parseEventInput(input: EventInput, kinds: ReadonlyMap<string, SourceKindDefinition>, now: Date): PluginEvent[] {
  const kind = kinds.get(input.sourceKind);
  if (!kind) throw new EventInputError('sourceKind', `'sourceKind' must be one of ${[...kinds.keys()].join(', ')}, got ${JSON.stringify(input.sourceKind)}`);
  const sourceId = optionalId(input.sourceId, 'sourceId');
  if (sourceId === null) throw new EventInputError('sourceId', "'sourceId' is required");
  let occurredAt = now;
  if (input.occurredAt !== undefined && input.occurredAt !== null) {
    occurredAt = input.occurredAt instanceof Date ? input.occurredAt : new Date(input.occurredAt);
    if (Number.isNaN(occurredAt.getTime())) throw new EventInputError('occurredAt', `'occurredAt' must be an ISO 8601 time, got ${JSON.stringify(input.occurredAt)}`);
  }
  let payload: Record<string, unknown>;
  try {
    payload = kind.parsePayload(input.payload);
  } catch (err) {
    throw new EventInputError('payload', `payload of ${kind.kind}: ${(err as Error).message}`);
  }
  const event: PluginEvent = {
    sourceKind: kind.kind,
    sourceId,
    occurredAt,
    attackerId: optionalId(input.attackerId, 'attackerId'),
    sessionId: optionalId(input.sessionId, 'sessionId'),
    host: input.host === undefined || input.host === null ? null : String(input.host).slice(0, 256),
    payload,
  };
  if (kind.kind !== 'session' || !kinds.has('command')) return [event];
  const commands = (payload.commands as string[] | undefined) ?? [];
  return [
    event,
    ...commands.map((command_text, i) => ({
      ...event,
      sourceKind: 'command',
      sourceId: `${sourceId}#${i + 1}`,
      sessionId: event.sessionId ?? sourceId,
      payload: { command_text, ...(typeof payload.username === 'string' ? { user: payload.username } : {}) },
    })),
  ];
}
