import type { RequestStatus } from '../gateway/decision.ts';
import type { EventStep, RequestStep } from '../scenarios/scenario.ts';
import type { StepTag } from './run-step-result.ts';

/**
 * What a run needs from the tagging engine and the gateway, built once per run from what it froze at
 * start (rule pack and rule states, policy, governance snapshot): its own engine (so lifter windows
 * never mix with live ingest), its own rate budget on the virtual clock, everything stored under the
 * run id, gateway requests in dry-run. Composed in src/capabilities/; the executor sees only this.
 */
export interface RunSession {
  /** Ingests consecutive event steps in one commit; one result per step, in order. */
  ingest(steps: readonly EventStep[]): Promise<{ tags: StepTag[]; error: string | null }[]>;
  /**
   * Decides one request in dry-run and records it as an agent_action event. Resolves with the
   * decision once it is made; its audit commit may still be on its way (see `settled`).
   */
  submit(step: RequestStep): Promise<{ requestId: string; status: RequestStatus; reasonCode: string | null; tags: StepTag[] }>;
  /**
   * Resolves once every request submitted so far is committed to the audit log; rejects if one
   * could not be, since that request ended `audit_unavailable` and not as `submit` reported.
   */
  settled(): Promise<void>;
  /** Lifter errors and timeouts so far in this run. */
  lifterErrors(): number;
}
