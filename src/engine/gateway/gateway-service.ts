import type { ActionHandlerDefinition, PluginEvent } from '../../plugins/api.ts';
import type { Principal } from '../auth/principal.ts';
import { badInput, GatehouseError } from '../errors.ts';
import type { Tag } from '../tagging/tag.ts';
import type { AuditOrigin } from './audit.ts';
import { checkRequest } from './decide-request.ts';
import { deny, type Denial, type GatewayRequestInput } from './decision.ts';
import { enforce } from './enforcement.ts';
import type { GatewayJournal, JournalEntry } from './gateway-journal.ts';
import type { GatewayRequestRecord, GatewayRequestStore } from './gateway-request.ts';
import type { GatewayKnobs } from './governance-knobs.ts';
import type { Policy } from './policy.ts';
import type { RateBudget } from './rate-budget.ts';
import { runHandler } from './run-handler.ts';

export interface GatewayServiceDeps {
  /** Audit entries and request rows, committed together (gateway-journal.ts). */
  journal: GatewayJournal;
  /** Reads requests back (approvals); every write goes through `journal`. */
  requests: GatewayRequestStore;
  /**
   * The next request id: synchronous from the in-process generator, a promise from a shared allocator
   * (request-id.ts `RequestIdSource`). A rejection means no id, so no record and nothing runs.
   */
  nextRequestId(): string | Promise<string>;
  policy(): Policy | null;
  handlers(): ReadonlyMap<string, ActionHandlerDefinition<unknown>>;
  projectRoot: string;
  knobs(): GatewayKnobs;
  budget: RateBudget;
  detect(event: PluginEvent): Promise<Tag[]>;
  /** Stores the request as an `agent_action` event with its tags (and publishes them); returns new tag ids. */
  recordEvent(event: PluginEvent, runId: string | null): Promise<string[]>;
  publishDecision(record: GatewayRequestRecord): void;
  publishApprovalRequested(record: GatewayRequestRecord): void;
  maxContentBytes: number;
  now?: () => Date;
  onError?(err: unknown, context: string): void;
}

export interface SubmitOptions {
  origin: AuditOrigin;
  runId?: string | null;
}

/**
 * The policy gateway (DESIGN §7): decide, record, then act. The request's receipt and its decision
 * are committed to the audit chain, with the request row, before anything executes — if that commit
 * fails the request is denied `audit_unavailable` — and the row says `running` before the handler
 * starts, so a crash leaves a request whose state says what happened. The outcome and the final row
 * are committed together afterwards. A dry run, which changes nothing, commits all three entries and
 * its final row at once.
 */
export function createGatewayService(deps: GatewayServiceDeps) {
  const now = deps.now ?? (() => new Date());

  const auditFields = (record: GatewayRequestRecord, origin: AuditOrigin) => ({
    requestId: record.requestId,
    agent: record.agent,
    role: record.role,
    specId: record.specId,
    action: record.action,
    origin,
  });

  /** The entry that records where a request's decision or approval left it. */
  const decisionEntry = (record: GatewayRequestRecord, origin: AuditOrigin, kind: 'decision' | 'approval_requested'): JournalEntry => ({
    ...auditFields(record, origin),
    kind,
    decision: record.status,
    reasonCode: record.reason?.code ?? record.shadowReason?.code ?? null,
    details: { reason: record.reason, shadowReason: record.shadowReason, targetPath: record.targetPath, approvalRule: record.approvalRule },
  });

  /** Nothing could be audited: the request is denied and runs nothing. */
  const unaudited = (record: GatewayRequestRecord, message: string) =>
    Object.assign(record, { status: 'DENIED', reason: deny('audit_unavailable', message), shadowReason: null, expiresAt: null, execution: 'not_run', result: null });

  /** Stores the row alone when its audited step failed (best effort: the database may be down too). */
  const storeUnaudited = async (record: GatewayRequestRecord, row: 'insert' | 'replace') => {
    try {
      await deps.journal.commit(record, [], row);
    } catch (err) {
      deps.onError?.(err, `storing ${record.requestId} after its audit failed also failed`);
    }
  };

  /** Runs an approved request's handler; never throws. Returns the audit entry of the outcome. */
  const execute = async (record: GatewayRequestRecord, origin: AuditOrigin, handler: ActionHandlerDefinition<unknown>, params: unknown): Promise<JournalEntry> => {
    const outcome = await runHandler(handler, params, { projectRoot: deps.projectRoot, targetPath: record.targetPath, dryRun: record.dryRun, maxContentBytes: deps.maxContentBytes });
    record.execution = outcome.ok ? 'completed' : 'failed';
    record.result = outcome.output;
    if (!outcome.ok) {
      record.status = 'DENIED';
      record.reason = deny('handler_failed', outcome.message);
    }
    return { ...auditFields(record, origin), kind: outcome.ok ? 'action_completed' : 'action_failed', decision: record.status, reasonCode: record.reason?.code ?? null, details: { result: outcome.output } };
  };

  /** Commits the outcome of an action that ran, with the final row; an audit failure is logged (the action already ran). */
  const recordOutcome = async (record: GatewayRequestRecord, entry: JournalEntry) => {
    try {
      await deps.journal.commit(record, [entry], 'replace');
    } catch (err) {
      deps.onError?.(err, `audit of the outcome of ${record.requestId} failed after the action ran`);
      await storeUnaudited(record, 'replace');
    }
  };

  /** Tags the request as an agent_action event (and publishes its tags); a failure is logged, not fatal. */
  const tag = async (record: GatewayRequestRecord, event: PluginEvent) => {
    try {
      record.tagIds = await deps.recordEvent({ ...event, payload: { ...event.payload, decision: record.status } }, record.runId);
    } catch (err) {
      deps.onError?.(err, `tagging ${record.requestId} as an agent_action event failed`);
    }
  };

  const publish = (record: GatewayRequestRecord) => {
    deps.publishDecision(record);
    if (record.status === 'PENDING_APPROVAL') deps.publishApprovalRequested(record);
    return record;
  };

  /** Without an id there is nothing to audit the request under: refuse it before anything is recorded. */
  const allocateRequestId = async (): Promise<string> => {
    try {
      return await deps.nextRequestId();
    } catch (err) {
      deps.onError?.(err, 'no request id could be allocated; the request was refused unrecorded');
      throw new GatehouseError('SERVICE_UNAVAILABLE', `no request id could be allocated (${(err as Error).message}); nothing was recorded or run, retry`, { reason: 'request_ids_unavailable' });
    }
  };

  /**
   * `submit` in two parts, for a replay run's dry runs: resolves once the request is decided (and a
   * dry run has run), with `done`, which resolves like `submit` once everything is committed. The
   * decision in `record` stands unless its audit commit fails, which `done` reports as a denial
   * `audit_unavailable`; a caller that carries on before `done` must check it.
   */
  const submitDecided = async (input: GatewayRequestInput, principal: Principal | null, options: SubmitOptions): Promise<{ record: GatewayRequestRecord; done: Promise<GatewayRequestRecord> }> => {
    const at = now();
    const requestId = await allocateRequestId();
    const knobs = deps.knobs();
    const record: GatewayRequestRecord = {
      requestId,
      agent: input.agent,
      role: input.role,
      specId: input.specId,
      action: input.action,
      params: input.params ?? null,
      rationale: input.rationale ?? null,
      status: 'DENIED',
      reason: null,
      shadowReason: null,
      execution: 'not_run',
      result: null,
      auditEventId: null,
      auditSeq: null,
      tagIds: [],
      targetPath: null,
      // Governance actionMode dry_run: every approved action is decided and audited but changes nothing.
      dryRun: (input.dryRun ?? false) || knobs.actionMode === 'dry_run',
      createdAt: at,
      decidedAt: null,
      expiresAt: null,
      approvalRule: null,
      approval: null,
      tokenId: principal?.tokenId ?? null,
      runId: options.runId ?? null,
    };
    // The receipt names the request as asked (the action before aliases are resolved).
    const received: JournalEntry = { ...auditFields(record, options.origin), kind: 'request_received', decision: null, reasonCode: null, details: { params: record.params, rationale: record.rationale } };
    const outcome = await checkRequest({ request: input, requestId, principal, policy: deps.policy(), handlers: deps.handlers(), projectRoot: deps.projectRoot, knobs, budget: deps.budget, detect: deps.detect, now: at });
    const enforced = enforce(outcome, outcome.approvalRule !== null, knobs.mode);
    Object.assign(record, {
      action: outcome.action,
      targetPath: outcome.targetPath,
      status: enforced.status,
      reason: enforced.denial,
      shadowReason: enforced.shadowDenial,
      decidedAt: at,
      approvalRule: outcome.approvalRule?.id ?? null,
      expiresAt: enforced.status === 'PENDING_APPROVAL' ? new Date(at.getTime() + knobs.approvalTtlSeconds * 1000) : null,
    });
    const runs = record.status === 'APPROVED' && outcome.handler !== null;
    // A request that runs nothing is final once decided: its tag ids go into the row it commits.
    if (!runs) await tag(record, outcome.event);
    if (runs) record.execution = 'running';
    const decided = decisionEntry(record, options.origin, record.status === 'PENDING_APPROVAL' ? 'approval_requested' : 'decision');
    // A dry run changes nothing, so no action waits for its decision to be committed: it runs
    // first, and the receipt, the decision and the outcome are committed together with the final row.
    let dryOutcome: JournalEntry | null = null;
    if (runs && outcome.handler && record.dryRun) {
      const tagged = tag(record, outcome.event);
      dryOutcome = await execute(record, options.origin, outcome.handler, outcome.params);
      await tagged;
    }
    // Handed to the journal now (its group commit keeps the order); a synchronous throw becomes a rejection handled below.
    const committed = (async () => deps.journal.commit(record, dryOutcome ? [received, decided, dryOutcome] : [received, decided], 'insert'))();
    // A request that runs is tagged while its decision is committed and its action runs, not after:
    // the event carries the pipeline's decision (APPROVED); how the action ended is the audit's
    // action_completed or action_failed entry. If the decision's commit fails, the request is denied
    // audit_unavailable, which its row and readers of the gateway say; the event keeps the decision
    // the pipeline made, and the action never runs.
    const tagged = runs && !dryOutcome ? tag(record, outcome.event) : null;
    const done = (async () => {
      try {
        const entries = await committed;
        const decision = entries[1];
        record.auditEventId = decision?.id ?? null;
        record.auditSeq = decision?.seq ?? null;
      } catch (err) {
        deps.onError?.(err, `audit write for ${requestId} failed`);
        await tagged;
        unaudited(record, 'the audit log could not be written; nothing runs without an audit record');
        await storeUnaudited(record, 'insert');
        return publish(record);
      }
      if (runs && outcome.handler && !dryOutcome) {
        const entry = await execute(record, options.origin, outcome.handler, outcome.params);
        await tagged;
        await recordOutcome(record, entry);
      }
      return publish(record);
    })();
    return { record, done };
  };

  return {
    /** Decides, records and (when approved) runs one request; resolves once all of it is committed. */
    async submit(input: GatewayRequestInput, principal: Principal | null, options: SubmitOptions): Promise<GatewayRequestRecord> {
      return (await submitDecided(input, principal, options)).done;
    },

    submitDecided,

    /** An operator approves or rejects one pending request; an approval runs the action once. */
    async decide(requestId: string, approve: boolean, reason: string | null, principal: Principal | null, origin: AuditOrigin): Promise<GatewayRequestRecord> {
      const record = await deps.requests.get(requestId);
      if (!record) throw new GatehouseError('NOT_FOUND', `no gateway request ${JSON.stringify(requestId)}`, { type: 'GatewayRequest', id: requestId });
      if (record.status !== 'PENDING_APPROVAL') throw badInput('requestId', `request ${requestId} is ${record.status}, not waiting for approval`);
      const at = now();
      if (record.expiresAt && record.expiresAt.getTime() <= at.getTime()) return this.expire(record);
      record.approval = { approve, by: principal?.name ?? null, reason, at };
      record.decidedAt = at;
      record.status = approve ? 'APPROVED' : 'DENIED';
      record.reason = approve ? null : deny('approval_rejected', `rejected by ${principal?.name ?? 'an operator'}${reason ? `: ${reason}` : ''}`);
      const handler = deps.handlers().get(record.action);
      let params: unknown;
      if (record.status === 'APPROVED') {
        try {
          if (!handler) throw new Error(`no handler for ${record.action} any more`);
          params = handler.parseParams(record.params);
        } catch (err) {
          Object.assign(record, { status: 'DENIED', reason: deny(handler ? 'invalid_params' : 'unknown_action', (err as Error).message) });
        }
      }
      const runs = handler !== undefined && record.status === 'APPROVED';
      if (runs) record.execution = 'running';
      try {
        const [entry] = await deps.journal.commit(record, [{ ...auditFields(record, origin), kind: 'approval_decided', decision: record.status, reasonCode: record.reason?.code ?? null, details: { approve, reason } }], 'replace');
        record.auditEventId = entry?.id ?? null;
        record.auditSeq = entry?.seq ?? null;
      } catch (err) {
        deps.onError?.(err, `audit write of the approval for ${requestId} failed`);
        unaudited(record, 'the approval could not be audited; nothing runs without an audit record');
        await storeUnaudited(record, 'replace');
        deps.publishDecision(record);
        return record;
      }
      if (runs && handler) await recordOutcome(record, await execute(record, origin, handler, params));
      deps.publishDecision(record);
      return record;
    },

    /** Denies a pending request whose approval window passed (`approval_expired`). */
    async expire(record: GatewayRequestRecord): Promise<GatewayRequestRecord> {
      Object.assign(record, { status: 'DENIED', reason: deny('approval_expired', `no decision before ${record.expiresAt?.toISOString()}`), decidedAt: now() });
      try {
        const [entry] = await deps.journal.commit(record, [{ ...auditFields(record, { tokenId: null, tokenName: null, transport: 'system' }), kind: 'approval_decided', decision: 'DENIED', reasonCode: 'approval_expired', details: {} }], 'replace');
        record.auditEventId = entry?.id ?? null;
        record.auditSeq = entry?.seq ?? null;
      } catch (err) {
        deps.onError?.(err, `audit write of the expiry of ${record.requestId} failed`);
        await storeUnaudited(record, 'replace');
      }
      deps.publishDecision(record);
      return record;
    },
  };
}

export type GatewayService = ReturnType<typeof createGatewayService>;
