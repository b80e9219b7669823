import RE2 from 're2';
import type { Rule } from './rule.ts';

/**
 * Engine rules indexed by source kind and field (DESIGN §6): the patterns on one (kind, field) pair
 * are matched together by RE2 sets, so an event costs a few automaton passes per field — not one
 * regex call per rule — and every matching rule is reported (no first-match shadowing). RE2 runs in
 * linear time, so no pattern can stall ingest.
 *
 * Two measured facts shape this (bench/engine.bench.ts): one RE2 set over the whole shipped command
 * pack (120 patterns) thrashes RE2's bounded DFA cache and runs ~15x slower than three sets of 40;
 * and each call into the native binding costs ~2 µs, so a bounded memo of recent field texts (command
 * streams repeat a lot) answers repeats without calling RE2 at all.
 */
const SET_SIZE = 40;
const MEMO_ENTRIES = 20_000;
const MEMO_MAX_TEXT = 1024;

interface FieldGroup {
  field: string;
  path: string[];
  sets: { set: ReturnType<typeof RE2.Set>; offset: number }[];
  rules: Rule[];
  /**
   * Field text → indexes into `rules`, in two generations: when `young` is full it becomes `old` and a
   * fresh `young` starts (a hit in `old` is promoted). Dropping a whole Map is cheap; deleting entries
   * one by one leaves holes V8 walks past on every lookup (measured: 3x slower misses).
   */
  memo: { young: Map<string, readonly number[]>; old: Map<string, readonly number[]> };
}

function matchGroup(group: FieldGroup, text: string): readonly number[] {
  const cacheable = text.length <= MEMO_MAX_TEXT;
  const memo = group.memo;
  if (cacheable) {
    const hit = memo.young.get(text);
    if (hit) return hit;
    const older = memo.old.get(text);
    if (older) {
      remember(memo, text, older);
      return older;
    }
  }
  const found: number[] = [];
  for (const { set, offset } of group.sets) for (const i of set.match(text)) found.push(offset + i);
  if (cacheable) remember(memo, text, found);
  return found;
}

function remember(memo: FieldGroup['memo'], text: string, found: readonly number[]): void {
  if (memo.young.size >= MEMO_ENTRIES / 2) {
    memo.old = memo.young;
    memo.young = new Map();
  }
  memo.young.set(text, found);
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
      [...fields].map(([field, fieldRules]) => {
        const patterns = fieldRules.map((r) => (r.match as { pattern: string }).pattern);
        const sets = [];
        for (let offset = 0; offset < patterns.length; offset += SET_SIZE) sets.push({ set: new RE2.Set(patterns.slice(offset, offset + SET_SIZE), 'u'), offset });
        return { field, path: field.split('.'), sets, rules: fieldRules, memo: { young: new Map(), old: new Map() } };
      }),
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
        for (const i of matchGroup(group, text)) matched.push(group.rules[i] as Rule);
      }
      return matched;
    },
  };
}
