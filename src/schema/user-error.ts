import { CONFLICT_REASONS, isConflictReason, isGatehouseError } from '../engine/errors.ts';
import type { Builder } from './builder.ts';

/** An expected failure reported inside a mutation payload (DESIGN §5). */
export interface UserError {
  code: string;
  field: string | null;
  message: string;
}

/** Codes that are the caller's to fix and so belong in `userErrors` rather than top-level errors. */
const USER_ERROR_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT']);

/**
 * Runs a mutation body; an expected failure becomes `{ userErrors: [...] }` on the payload,
 * anything else propagates (and is masked if unexpected).
 */
export async function withUserErrors<T extends object>(run: () => Promise<T>): Promise<Partial<T> & { userErrors: UserError[] }> {
  try {
    return { ...(await run()), userErrors: [] };
  } catch (err) {
    if (isGatehouseError(err) && USER_ERROR_CODES.has(err.code)) {
      const details = err.details as Record<string, unknown>;
      if (isConflictReason(details.reason)) {
        return { userErrors: [{ code: details.reason, field: CONFLICT_REASONS[details.reason].field, message: err.message }] } as Partial<T> & { userErrors: UserError[] };
      }
      const field = typeof details.field === 'string' ? details.field : null;
      return { userErrors: [{ code: err.code, field, message: err.message }] } as Partial<T> & { userErrors: UserError[] };
    }
    throw err;
  }
}

export function addUserError(builder: Builder) {
  return builder.objectRef<UserError>('UserError').implement({
    description: 'An expected failure of a mutation: what went wrong, with which input field.',
    fields: (t) => ({
      code: t.exposeString('code', { description: 'A code from the error registry (docs/errors.md), e.g. BAD_USER_INPUT, or a conflict reason such as revision_conflict.' }),
      field: t.exposeString('field', { nullable: true, description: 'Path of the input field at fault, e.g. "agentRoles".' }),
      message: t.exposeString('message'),
    }),
  });
}
