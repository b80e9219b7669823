import { createEventTimeWindow, defineLifter, type EventTimeWindow, type LifterFinding, type PluginEvent } from '../../src/plugins/api.ts';
import { walkCommands, type Step } from './command-walk.ts';
import { createParamReader } from './params.ts';
import { overlaps } from './paths.ts';
import { createPerRuleState } from './rule-state.ts';
import { DEFAULT_STAGING_DIRS } from './staging.ts';

/** Rule kind owned by {@link stagingThenTransferLifter}. */
export const STAGING_THEN_TRANSFER_KIND = 'lifter:staging-then-transfer';

export interface StagingThenTransferParams {
  /** How long staged data stays "pending" in a stream of `command` events, in minutes. */
  readonly windowMinutes: number;
  /** Absolute directories that count as staging areas. */
  readonly stagingDirs: readonly string[];
  /** Whether the transfer must send a staged path (or a directory holding one); default true. */
  readonly requireFileReference: boolean;
  /** Most sessions with pending staged data held at once. */
  readonly maxTrackedSessions: number;
}

const PARAMS = ['window_minutes', 'staging_dirs', 'require_file_reference', 'max_tracked_sessions'];

/** Parses the rule's parameters; `staging_dirs` must be absolute paths. */
export function parseStagingThenTransferParams(params: Readonly<Record<string, unknown>>, kind: string): StagingThenTransferParams {
  const reader = createParamReader(kind, params, PARAMS);
  const windowMinutes = reader.number('window_minutes', { above: 0, max: 10_080 });
  const stagingDirs = reader.stringList('staging_dirs', DEFAULT_STAGING_DIRS) ?? DEFAULT_STAGING_DIRS;
  if (!stagingDirs.every((d) => d.startsWith('/'))) reader.invalid('staging_dirs', 'a list of absolute paths');
  const requireFileReference = reader.boolean('require_file_reference', true);
  const maxTrackedSessions = reader.integer('max_tracked_sessions', { min: 1, max: 1_000_000 }, 10_000);
  reader.done();
  return { windowMinutes, stagingDirs: stagingDirs.map((d) => d.replace(/(.)\/+$/, '$1')), requireFileReference, maxTrackedSessions };
}

/** Something a session wrote into a staging directory. */
interface Staged {
  readonly path: string;
  readonly line: string;
  readonly at: number;
  readonly sourceId: string;
}

/** Staged items kept per session; older ones beyond this are dropped (one loud session stays bounded). */
const MAX_STAGED_PER_SESSION = 64;
/** Confidence of a finding whose transfer did not name the staged data (only with require_file_reference: false). */
const UNREFERENCED_CONFIDENCE = 0.5;

/**
 * Data staged locally, then sent out (T1074.001 Local Data Staging, then T1048 Exfiltration Over
 * Alternative Protocol): within one session, a command writes collected data into a staging
 * directory (`tar czf /tmp/l.tgz /home`, `cp /etc/shadow /dev/shm/`, `mysqldump … > /tmp/db.sql`)
 * and a later one sends it to a remote host (`scp`, `rsync`, `curl -T`/`-F @`, `wget --post-file`,
 * `nc`, `socat`, `ssh` fed by a pipe, `/dev/tcp`). One rule emits both techniques: staging alone is
 * routine (backups, builds), and it is the transfer of the staged data that makes it an attack.
 *
 * - `session` events: the `commands` list is read in order, as one unit; `window_minutes` does not apply.
 * - `command` events: correlated by `sessionId` (events without one are skipped). Staged items stay
 *   pending for `window_minutes` of event time; the transfer must not be earlier than the staging.
 *
 * Fires on the event holding the transfer, then forgets that session's staged items, so each
 * staged-and-sent batch is reported once.
 */
export const stagingThenTransferLifter = defineLifter<StagingThenTransferParams>({
  id: 'session-lifter/staging-then-transfer',
  description: 'Data written to a staging directory, then sent to a remote host in the same session (T1074.001, T1048).',
  handles: ['session', 'command'],
  owns: [STAGING_THEN_TRANSFER_KIND],
  parseParams: parseStagingThenTransferParams,
  create() {
    const pending = createPerRuleState((p: StagingThenTransferParams) =>
      createEventTimeWindow<Staged>({ windowMs: p.windowMinutes * 60_000, maxKeys: p.maxTrackedSessions, maxEntriesPerKey: MAX_STAGED_PER_SESSION + 1 }),
    );
    return {
      process({ event, rules }) {
        const findings: LifterFinding[] = [];
        for (const rule of rules) {
          const p = rule.params;
          if (event.sourceKind === 'session') {
            const commands = event.payload.commands;
            if (!Array.isArray(commands)) continue;
            const lines = commands.filter((c): c is string => typeof c === 'string');
            const match = correlate([], walkCommands(lines, null, p.stagingDirs), event, p.requireFileReference);
            if (match) findings.push(toFinding(rule.ruleId, event, match));
            continue;
          }
          const { command_text: text, cwd } = event.payload;
          if (event.sourceKind !== 'command' || event.sessionId === null || typeof text !== 'string') continue;
          const window = pending.forRule(rule);
          const at = event.occurredAt;
          const held = window.get(event.sessionId, at).filter((e) => e.at <= at.getTime()).map((e) => e.value);
          const steps = walkCommands([text], typeof cwd === 'string' && cwd.startsWith('/') ? cwd : null, p.stagingDirs);
          const match = correlate(held, steps, event, p.requireFileReference);
          if (match) {
            window.clear(event.sessionId);
            findings.push(toFinding(rule.ruleId, event, match));
            continue;
          }
          for (const path of steps.flatMap((s) => s.staged)) {
            const list = window.add(event.sessionId, at, { path, line: text, at: at.getTime(), sourceId: event.sourceId });
            if (list.length > MAX_STAGED_PER_SESSION) keepNewest(window, event.sessionId, list);
          }
        }
        return findings;
      },
    };
  },
});

interface Match {
  readonly staged: Staged;
  readonly step: Step;
  readonly referenced: boolean;
}

/**
 * Walks `steps` in order, adding what each stages to `held`, and returns the first transfer that
 * sends staged data (the newest such item), or — when no reference is required — any transfer after
 * something was staged.
 */
function correlate(held: readonly Staged[], steps: readonly Step[], event: PluginEvent, requireReference: boolean): Match | null {
  const staged = [...held];
  for (const step of steps) {
    for (const path of step.staged) staged.push({ path, line: step.line, at: event.occurredAt.getTime(), sourceId: event.sourceId });
    if (step.transfer === null || staged.length === 0) continue;
    const referenced = [...staged].reverse().find((item) => step.sent.some((sent) => overlaps(sent, item.path)));
    if (referenced) return { staged: referenced, step, referenced: true };
    const newest = staged.at(-1);
    if (!requireReference && newest) return { staged: newest, step, referenced: false };
  }
  return null;
}

function toFinding(ruleId: string, event: PluginEvent, { staged, step, referenced }: Match): LifterFinding {
  const transfer = step.transfer;
  const clip = (text: string) => (text.length > 500 ? `${text.slice(0, 497)}...` : text);
  return {
    ruleId,
    ...(referenced ? {} : { confidence: UNREFERENCED_CONFIDENCE }),
    evidence: {
      sessionId: event.sessionId,
      stagedPath: staged.path,
      stagingCommand: clip(staged.line),
      stagedAt: new Date(staged.at).toISOString(),
      stagingSourceId: staged.sourceId,
      transferCommand: clip(step.line),
      tool: transfer?.tool ?? null,
      destination: transfer ? (transfer.port ? `${transfer.host}:${transfer.port}` : transfer.host) : null,
      transferSendsStagedPath: referenced,
    },
  };
}

/** Drops all but the newest half of a session's staged items: the window API has no per-key cap. */
function keepNewest(window: EventTimeWindow<Staged>, key: string, list: readonly { at: number; value: Staged }[]): void {
  const kept = list.slice(-MAX_STAGED_PER_SESSION / 2);
  window.clear(key);
  for (const e of kept) window.add(key, new Date(e.at), e.value);
}
