import { CONFLICT_REASONS, ERROR_CODES, ERROR_CODE_NAMES } from '../engine/errors.ts';

/** Renders `docs/errors.md` from the error registry (the registry is the source of truth). */
export function renderErrorsDoc(): string {
  const rows = ERROR_CODE_NAMES.map((code) => {
    const entry = ERROR_CODES[code];
    const details = entry.details.map((k) => `\`${k}\``).join(', ');
    return `| \`${code}\` | ${entry.meaning} | ${details} | ${entry.httpStatus} |`;
  });
  return [
    '<!-- Generated from src/engine/errors.ts by `npm run docs:errors`. Do not edit by hand. -->',
    '# Error codes',
    '',
    'Every GraphQL error Gatehouse returns carries `extensions.code` (one of the codes below) and',
    '`extensions.details` (an object with exactly the listed keys). Unexpected failures are masked as',
    '`INTERNAL_SERVER_ERROR`; quote its `requestId` when reporting a problem — the server logged the cause',
    'under it. Mutations report expected failures in their payload as `userErrors { code field message }`',
    'with the same codes.',
    '',
    'The HTTP status applies to requests that fail as a whole (for example a missing token on an operation',
    'that needs one is HTTP 401); graphql-ws and SSE carry the same code and details without a status.',
    '',
    '| code | meaning | details keys | HTTP status |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '## Conflict reasons in userErrors',
    '',
    'A mutation refused because of the current state answers a `userErrors` entry whose `code` is one of',
    'these reasons (over the API as a whole it is a `CONFLICT` with `details.reason` set to it).',
    '',
    '| code | field | meaning |',
    '| --- | --- | --- |',
    ...Object.entries(CONFLICT_REASONS).map(([reason, r]) => `| \`${reason}\` | \`${r.field}\` | ${r.meaning} |`),
    '',
  ].join('\n');
}
