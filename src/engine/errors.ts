/**
 * The closed registry of error codes Gatehouse returns (DESIGN §5, CONVENTIONS "Errors").
 * Each code has a one-line meaning and the keys its `details` object always carries.
 * `docs/errors.md` is generated from this table and a test fails when the two drift.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: {
    meaning: 'No valid API token was presented for an operation that needs one.',
    httpStatus: 401,
    details: ['reason'],
  },
  FORBIDDEN: {
    meaning: "The token is valid but its role may not perform this operation.",
    httpStatus: 403,
    details: ['role', 'requiredRoles'],
  },
  BAD_USER_INPUT: {
    meaning: 'An argument or input field has an invalid value.',
    httpStatus: 400,
    details: ['field', 'reason'],
  },
  BAD_REQUEST: {
    meaning: 'The HTTP request is not a valid GraphQL request (method, content type, body shape).',
    httpStatus: 400,
    details: ['reason'],
  },
  GRAPHQL_PARSE_FAILED: {
    meaning: 'The GraphQL document has a syntax error.',
    httpStatus: 400,
    details: ['locations'],
  },
  GRAPHQL_VALIDATION_FAILED: {
    meaning: 'The GraphQL document is invalid against the schema or exceeds a depth, alias, cost or size limit.',
    httpStatus: 400,
    details: ['locations'],
  },
  NOT_FOUND: {
    meaning: 'The requested object does not exist.',
    httpStatus: 404,
    details: ['type', 'id'],
  },
  CONFLICT: {
    meaning: 'The operation conflicts with the current state (a stale revision, a duplicate).',
    httpStatus: 409,
    details: ['reason'],
  },
  PAYLOAD_TOO_LARGE: {
    meaning: 'The request body or message exceeds the configured size limit.',
    httpStatus: 413,
    details: ['limitBytes'],
  },
  RATE_LIMITED: {
    meaning: 'Too many requests; retry after the given number of seconds.',
    httpStatus: 429,
    details: ['retryAfterSeconds'],
  },
  SLOW_CONSUMER: {
    meaning: 'A subscriber fell behind by more than its queue allows; its subscription was closed.',
    httpStatus: 200,
    details: ['queueLimit'],
  },
  SERVICE_UNAVAILABLE: {
    meaning: 'The server is starting or shutting down, or a shared store it needs (scale-out: Redis) is unreachable; nothing was done. Retry later.',
    httpStatus: 503,
    details: ['reason'],
  },
  INTERNAL_SERVER_ERROR: {
    meaning: 'An unexpected error; it was logged with the request id given here.',
    httpStatus: 500,
    details: ['requestId'],
  },
} as const satisfies Record<string, { meaning: string; httpStatus: number; details: readonly string[] }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

/** The `details` object a code carries: exactly its registered keys. */
export type ErrorDetails<C extends ErrorCode> = C extends ErrorCode
  ? { [K in (typeof ERROR_CODES)[C]['details'][number]]: unknown }
  : never;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * An expected failure with a registered code. The schema layer maps it to `extensions.code` and
 * `extensions.details`; anything that is not a `GatehouseError` is masked as INTERNAL_SERVER_ERROR.
 */
export class GatehouseError<C extends ErrorCode = ErrorCode> extends Error {
  override name = 'GatehouseError';
  readonly code: C;
  readonly details: ErrorDetails<C>;

  constructor(code: C, message: string, details: ErrorDetails<C>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function isGatehouseError(value: unknown): value is GatehouseError {
  return value instanceof GatehouseError;
}

/**
 * Reasons a mutation refuses because of the current state (a `CONFLICT` whose `details.reason` is one
 * of these): mutations report them in `userErrors` with the reason as the code (issue #5: "a stale
 * revision is a `revision_conflict` user error"). Each names the input field the caller should look at.
 */
export const CONFLICT_REASONS = {
  revision_conflict: { field: 'expectedRevision', meaning: 'updateGovernance: expectedRevision is not the current revision; read governance again and retry.' },
  run_not_active: { field: 'runId', meaning: 'The run already ended (COMPLETED or FAULT); only queued, running or paused runs can be stopped.' },
  run_not_paused: { field: 'runId', meaning: 'The run is not PAUSED; stepRun and resumeRun need a paused run.' },
  run_not_ended: { field: 'runId', meaning: 'exportRun: the run is still queued, running or paused; export it once it has ended.' },
  run_not_running: { field: 'runId', meaning: 'The run is not RUNNING; pauseRun needs a running run.' },
  run_too_large: { field: 'scenarioId', meaning: 'The scenario has more steps than the governance budget maxEventsPerRun allows.' },
  scenario_unavailable: { field: 'scenarioId', meaning: 'The scenario exists but its file does not load, or it names an unknown governance preset.' },
} as const;
export type ConflictReason = keyof typeof CONFLICT_REASONS;

export function isConflictReason(value: unknown): value is ConflictReason {
  return typeof value === 'string' && Object.hasOwn(CONFLICT_REASONS, value);
}

/** A refusal because of the current state; reported in `userErrors` with `reason` as the code. */
export function conflict(reason: ConflictReason, message: string): GatehouseError<'CONFLICT'> {
  return new GatehouseError('CONFLICT', message, { reason });
}

/** Shorthand for the most common expected failure: a bad argument, naming the field. */
export function badInput(field: string, reason: string): GatehouseError<'BAD_USER_INPUT'> {
  return new GatehouseError('BAD_USER_INPUT', `${field}: ${reason}`, { field, reason });
}
