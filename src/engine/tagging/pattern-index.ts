import RE2 from 're2';
import type { Rule } from './rule.ts';

/**
 * Engine rules indexed by source kind and field (DESIGN §6): each (kind, field) pair has one RE2 set
 * holding every pattern on that field, so an event costs one automaton pass per field it has rules
 * for — not one regex call per rule — and every matching rule is reported (no first-match shadowing).
 * RE2 runs in linear time, so no pattern can stall ingest.
 */
interface FieldGroup {
  field: string;
  path: string[];
  set: ReturnType<typeof RE2.Set>;
  rules: Rule[];
}

export interface PatternIndex {
  /** Rules whose pattern matches the event's payload, in rule-pack order per field. */
  match(sourceKind: string, payload: Readonly<Record<string, unknown>>): Rule[];
  readonly size: number;
}

/** The text a pattern sees: strings as they are, other present values as JSON. */
export function fieldText(payload: Readonly<Record<string, unknown>>, path: readonly string[]): string | undefined {
  let value: unknown = payload;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function createPatternIndex(rules: readonly Rule[]): PatternIndex {
  const byKind = new Map<string, FieldGroup[]>();
  const pending = new Map<string, Map<string, Rule[]>>();
  let size = 0;
  for (const rule of rules) {
    if (rule.match.type !== 'pattern') continue;
    size += 1;
    for (const kind of rule.appliesTo) {
      const fields = pending.get(kind) ?? new Map<string, Rule[]>();
      pending.set(kind, fields);
      const list = fields.get(rule.match.field) ?? [];
      list.push(rule);
      fields.set(rule.match.field, list);
    }
  }
  for (const [kind, fields] of pending) {
    byKind.set(
      kind,
      [...fields].map(([field, fieldRules]) => ({
        field,
        path: field.split('.'),
        set: new RE2.Set(
          fieldRules.map((r) => (r.match as { pattern: string }).pattern),
          'u',
        ),
        rules: fieldRules,
      })),
    );
  }
  return {
    size,
    match(sourceKind, payload) {
      const groups = byKind.get(sourceKind);
      if (!groups) return [];
      const matched: Rule[] = [];
      for (const group of groups) {
        const text = fieldText(payload, group.path);
        if (text === undefined) continue;
        for (const i of group.set.match(text)) matched.push(group.rules[i] as Rule);
      }
      return matched;
    },
  };
}
