// Retention: a service may say how many days after a process is completed or closed the citizen's personal data is kept
// (`retention.redactAfterDays`). A daily BullMQ job scheduler (core/jobs/schedules.ts) runs the sweep; each run locks
// its row in governance_runs (FOR UPDATE SKIP LOCKED), so two workers never sweep at once.
// Processes are erased one by one, through the same eraseProcess as an erasure on request, in batches.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from 'pino';
import { serviceDefinitionSchema } from '../services/index.ts';
import { eraseProcess, type EraseDeps } from './erase.ts';

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
export async function retentionPolicies(sequelize: Sequelize): Promise<RetentionPolicy[]> {
  const rows = await sequelize.query<{ service_id: string; definition: unknown }>(
    `select v.service_id, v.definition from services s join service_versions v on v.service_id = s.id and v.version = s.published_version
     where v.definition ? 'retention' order by v.service_id`,
    { type: QueryTypes.SELECT },
  );
  const policies: RetentionPolicy[] = [];
  for (const r of rows) {
    const parsed = serviceDefinitionSchema.safeParse(r.definition);
    const days = parsed.success ? parsed.data.retention?.redactAfterDays : undefined;
    if (days) policies.push({ serviceId: r.service_id, redactAfterDays: days });
  }
  return policies;
}

/** Completed or closed, not yet erased processes of the service that finished more than its retention period ago. */
export async function retentionCandidates(
  sequelize: Sequelize,
  policy: RetentionPolicy,
  options: { limit?: number; skip?: string[] } = {},
): Promise<RetentionCandidate[]> {
  const rows = await sequelize.query<{ id: string; reference: string; service_id: string; status: string; finished_at: Date }>(
    `select id, reference, service_id, status, finished_at from processes
     where service_id = $1 and erased_at is null and status in ('completed', 'closed') and finished_at is not null
       and finished_at < now() - make_interval(days => $2::int) and not (id = any($3::uuid[]))
     order by finished_at, id limit $4`,
    { bind: [policy.serviceId, policy.redactAfterDays, options.skip ?? [], options.limit ?? 1_000_000], type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    processId: r.id,
    reference: r.reference,
    serviceId: r.service_id,
    status: r.status,
    finishedAt: r.finished_at,
    redactAfterDays: policy.redactAfterDays,
  }));
}

/** What a run would erase now, for every service with a retention period (`closeloop retention --dry-run`). */
export async function retentionDryRun(sequelize: Sequelize): Promise<RetentionCandidate[]> {
  const out: RetentionCandidate[] = [];
  for (const policy of await retentionPolicies(sequelize)) out.push(...(await retentionCandidates(sequelize, policy)));
  return out;
}

/** One retention sweep, unless another process holds the lock. A process that fails to erase is logged and skipped. */
export async function runRetention(deps: EraseDeps, options: RetentionOptions = {}): Promise<RetentionOutcome> {
  const { sequelize } = deps;
  const batchSize = options.batchSize ?? 100;
  const startedAt = new Date();
  await sequelize.query('insert into governance_runs (job) values ($1) on conflict do nothing', { bind: [JOB] });
  try {
    return await sequelize.transaction(async (t) => {
      // The lock is held for the whole sweep (erasures run in their own transactions on other connections).
      const locked = await sequelize.query('select job from governance_runs where job = $1 for update skip locked', {
        bind: [JOB],
        type: QueryTypes.SELECT,
        transaction: t,
      });
      if (!locked.length) return { ran: false, erased: 0, failed: 0, services: [] };
      const outcome: RetentionOutcome = { ran: true, erased: 0, failed: 0, services: [] };
      for (const policy of await retentionPolicies(sequelize)) {
        const done = { ...policy, erased: 0, failed: 0 };
        const failed: string[] = [];
        for (;;) {
          const batch = await retentionCandidates(sequelize, policy, { limit: batchSize, skip: failed });
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
      await sequelize.query(
        'update governance_runs set started_at = $2, finished_at = now(), runs = runs + 1, last_result = $3::jsonb, last_error = null where job = $1',
        {
          bind: [JOB, startedAt, JSON.stringify(outcome)],
          transaction: t,
        },
      );
      if (outcome.erased || outcome.failed) options.log?.info({ erased: outcome.erased, failed: outcome.failed }, 'retention erased processes');
      return outcome;
    });
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    await sequelize.query('update governance_runs set last_error = $2 where job = $1', { bind: [JOB, message.slice(0, 1000)] }).catch(() => {});
    options.log?.warn({ err: message }, 'retention run failed; the next one starts again');
    throw err;
  }
}
