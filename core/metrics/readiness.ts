// /readyz: can this process do its work? Postgres answers, Redis answers PING, and the schema is the one this code expects.
// Each check has a short timeout, so a hung dependency makes the probe fail rather than hang.
import type { Database } from '../db/database.ts';
import type { RedisConnection } from '../redis.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { pingDatabase } from './metrics-repo.ts';

export type CheckState = 'ok' | 'failed' | 'timeout';

export interface Readiness {
  ready: boolean;
  checks: { postgres: CheckState; redis: CheckState; migrations: 'current' | 'pending' | 'unknown' };
  /** The checks that failed, by name. */
  failing: string[];
  pendingMigrations?: string[];
  /** Why each failing check failed (for the log, not the response: messages can name internal hosts). */
  errors: Record<string, string>;
}

export interface ReadinessDeps {
  db: Database;
  redis: RedisConnection;
  timeoutMs?: number;
}

export async function checkReadiness({ db, redis, timeoutMs = 1000 }: ReadinessDeps): Promise<Readiness> {
  const errors: Record<string, string> = {};
  const run = async <T>(name: string, fn: () => Promise<T>): Promise<{ state: CheckState; value?: T }> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const result = await Promise.race([fn().then((value) => ({ value })), timeout]);
      if (result === 'timeout') {
        errors[name] = `no answer within ${timeoutMs} ms`;
        return { state: 'timeout' };
      }
      return { state: 'ok', value: result.value };
    } catch (err) {
      errors[name] = (err as Error).message;
      return { state: 'failed' };
    } finally {
      clearTimeout(timer);
    }
  };
  const [postgres, redisCheck] = await Promise.all([run('postgres', () => pingDatabase(db)), run('redis', () => redis.ping())]);
  const migrations = postgres.state === 'ok' ? await run('migrations', () => pendingMigrations(db)) : { state: 'failed' as const, value: undefined };
  const pending = migrations.value;
  const migrationState = migrations.state !== 'ok' ? 'unknown' : pending!.length ? 'pending' : 'current';
  const checks = { postgres: postgres.state, redis: redisCheck.state, migrations: migrationState } as Readiness['checks'];
  const failing = [
    ...(checks.postgres !== 'ok' ? ['postgres'] : []),
    ...(checks.redis !== 'ok' ? ['redis'] : []),
    ...(checks.migrations !== 'current' ? ['migrations'] : []),
  ];
  if (checks.migrations === 'pending') errors.migrations = `not applied: ${pending!.join(', ')}`;
  return { ready: failing.length === 0, checks, failing, ...(pending?.length ? { pendingMigrations: pending } : {}), errors };
}
