// Retention: a service may say how many days after a process is completed or closed the citizen's personal data is kept
// (`retention.redactAfterDays`). A daily BullMQ job scheduler (core/jobs/schedules.ts) runs the sweep; each run locks
// its row in governance_runs (FOR UPDATE SKIP LOCKED), so two workers never sweep at once.
// Processes are erased one by one, through the same eraseProcess as an erasure on request, in batches.
import type { Sql } from '../db/database.ts';
import type { Logger } from 'pino';
import { serviceDefinitionSchema } from '../services/index.ts';
import { eraseProcess, type EraseDeps } from './erase.ts';
import {
  ensureGovernanceRun,
  lockGovernanceRun,
  processesFinishedBefore,
  publishedDefinitionsWithRetention,
  recordGovernanceRun,
  recordGovernanceRunError,
} from './retention-repo.ts';

export const RETENTION_ACTOR = 'retention';
const JOB = 'retention';

export interface RetentionPolicy {
  serviceId: string;
  redactAfterDays: number;
}

export interface RetentionCandidate {
  processId: string;
  reference: string;
  serviceId: string;
  status: string;
  finishedAt: Date;
  redactAfterDays: number;
}

export interface RetentionOutcome {
  /** False when another process was already running retention. */
  ran: boolean;
  erased: number;
  failed: number;
  services: { serviceId: string; redactAfterDays: number; erased: number; failed: number }[];
}

export interface RetentionOptions {
  /** Processes loaded (and erased) per round; rounds go on until a service has none left. */
  batchSize?: number;
  log?: Logger;
}

/** The published services that set a retention period, read from Postgres (so a worker needs no catalogue reload). */
export async function retentionPolicies(sql: Sql): Promise<RetentionPolicy[]> {
  const policies: RetentionPolicy[] = [];
  for (const r of await publishedDefinitionsWithRetention(sql)) {
    const parsed = serviceDefinitionSchema.safeParse(r.definition);
    const days = parsed.success ? parsed.data.retention?.redactAfterDays : undefined;
    if (days) policies.push({ serviceId: r.serviceId, redactAfterDays: days });
  }
  return policies;
}

/** Completed or closed, not yet erased processes of the service that finished more than its retention period ago. */
export async function retentionCandidates(sql: Sql, policy: RetentionPolicy, options: { limit?: number; skip?: string[] } = {}): Promise<RetentionCandidate[]> {
  const rows = await processesFinishedBefore(sql, {
    serviceId: policy.serviceId,
    days: policy.redactAfterDays,
    skip: options.skip ?? [],
    limit: options.limit ?? 1_000_000,
  });
  return rows.map((r) => ({
    processId: r.id,
    reference: r.reference,
    serviceId: r.serviceId,
    status: r.status,
    finishedAt: r.finishedAt,
    redactAfterDays: policy.redactAfterDays,
  }));
}

/** What a run would erase now, for every service with a retention period (`closeloop retention --dry-run`). */
export async function retentionDryRun(sql: Sql): Promise<RetentionCandidate[]> {
  const out: RetentionCandidate[] = [];
  for (const policy of await retentionPolicies(sql)) out.push(...(await retentionCandidates(sql, policy)));
  return out;
}

/** One retention sweep, unless another process holds the lock. A process that fails to erase is logged and skipped. */
export async function runRetention(deps: EraseDeps, options: RetentionOptions = {}): Promise<RetentionOutcome> {
  const { db } = deps;
  const batchSize = options.batchSize ?? 100;
  const startedAt = new Date();
  await ensureGovernanceRun(db, JOB);
  try {
    return await db.transaction(async (t) => {
      // The lock is held for the whole sweep (erasures run in their own transactions on other connections).
      if (!(await lockGovernanceRun(t, JOB))) return { ran: false, erased: 0, failed: 0, services: [] };
      const outcome: RetentionOutcome = { ran: true, erased: 0, failed: 0, services: [] };
      for (const policy of await retentionPolicies(db)) {
        const done = { ...policy, erased: 0, failed: 0 };
        const failed: string[] = [];
        for (;;) {
          const batch = await retentionCandidates(db, policy, { limit: batchSize, skip: failed });
          for (const c of batch) {
            try {
              const result = await eraseProcess(deps, c.processId, {
                actor: RETENTION_ACTOR,
                via: 'retention',
                reason: `${policy.serviceId} keeps personal data for ${policy.redactAfterDays} days after a process is completed or closed`,
              });
              if (result.erased) done.erased++;
            } catch (err) {
              failed.push(c.processId);
              done.failed++;
              options.log?.warn({ processId: c.processId, err: (err as Error).message }, 'retention could not erase a process');
            }
          }
          if (batch.length < batchSize) break;
        }
        outcome.erased += done.erased;
        outcome.failed += done.failed;
        outcome.services.push(done);
      }
      await recordGovernanceRun(t, JOB, startedAt, outcome);
      if (outcome.erased || outcome.failed) options.log?.info({ erased: outcome.erased, failed: outcome.failed }, 'retention erased processes');
      return outcome;
    });
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    await recordGovernanceRunError(db, JOB, message.slice(0, 1000)).catch(() => {});
    options.log?.warn({ err: message }, 'retention run failed; the next one starts again');
    throw err;
  }
}
