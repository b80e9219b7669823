import { BUILT_IN_SOURCE_KINDS } from '../engine/tagging/source-kinds.ts';

/** Renders `docs/source-kinds.md` from the built-in source kind definitions (their source of truth). */
export function renderSourceKindsDoc(): string {
  const sections = BUILT_IN_SOURCE_KINDS.map((kind) =>
    [`## \`${kind.kind}\``, '', kind.description, '', '| field | meaning |', '| --- | --- |', ...Object.entries(kind.fields).map(([f, meaning]) => `| \`${f}\` | ${meaning} |`), ''].join('\n'),
  );
  return [
    '<!-- Generated from src/engine/tagging/source-kinds.ts by `npm run docs:source-kinds`. Do not edit by hand. -->',
    '# Source kinds',
    '',
    'Every event has `sourceKind`, `sourceId` (unique within the kind; re-ingesting an id is idempotent),',
    '`occurredAt` (event time, default: arrival), optional `attackerId`, `sessionId`, `host`, and a `payload`',
    'checked against its kind below. Payloads may carry extra fields: they are kept and rules can match them',
    '(a dotted `match.field` reaches nested values; non-string values are matched as JSON text).',
    'Plugins may add kinds (docs/plugins.md).',
    '',
    ...sections,
  ].join('\n');
}
