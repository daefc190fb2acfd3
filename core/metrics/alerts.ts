// Alerts an operator can act on, per binding: dead deliveries (replay them once the cause is fixed) and deliveries still
// not delivered after the binding's `alerts.pendingMinutes` (the back office or the worker is stuck).
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Config } from '../config/index.ts';

export type AlertKind = 'stale' | 'dead';

export const ALERT_KINDS: AlertKind[] = ['stale', 'dead'];

/** Minutes after which an undelivered delivery is stale, for bindings no longer in the config. */
export const DEFAULT_PENDING_MINUTES = 30;

/** Delivery states that are not yet final. */
export const UNDELIVERED = ['pending', 'queued', 'delivering'];

export interface BindingAlert {
  binding: string;
  kind: AlertKind;
  /** Deliveries concerned. */
  count: number;
  /** Age of the oldest of them, from its creation (when the citizen submitted), in whole seconds. */
  oldestAgeSeconds: number;
  /** The stale threshold of the binding (stale alerts only). */
  thresholdMinutes?: number;
  /** The oldest few of them, to open with GET /api/v1/admin/deliveries/{id}. */
  deliveryIds: string[];
}

/** The SQL binds that give each binding its stale threshold: $1 names, $2 minutes, $3 the default. */
export function thresholdBinds(config: Pick<Config, 'bindings'>): [string[], number[], number] {
  const entries = Object.entries(config.bindings);
  return [entries.map(([name]) => name), entries.map(([, b]) => b.alerts?.pendingMinutes ?? DEFAULT_PENDING_MINUTES), DEFAULT_PENDING_MINUTES];
}

/** A CTE `cfg(binding, minutes)` from the binds above. */
export const THRESHOLDS_CTE = `cfg as (select * from unnest($1::text[], $2::float8[]) as t(binding, minutes))`;

/** A CTE `stale(binding, n, oldest, cutoff)`: undelivered deliveries older than their binding's threshold. Needs `cfg`. */
export const STALE_CTE = `stale as (
    select d.binding, count(*)::bigint as n, min(d.created_at) as oldest, max(now() - interval '1 minute' * coalesce(cfg.minutes, $3)) as cutoff,
      max(coalesce(cfg.minutes, $3)) as minutes
    from deliveries d left join cfg on cfg.binding = d.binding
    where d.status in ('pending', 'queued', 'delivering') and d.created_at < now() - interval '1 minute' * coalesce(cfg.minutes, $3)
    group by d.binding)`;

/** Every binding with something to act on, dead first, then by binding; each with a few delivery ids. */
export async function readAlerts(sequelize: Sequelize, config: Pick<Config, 'bindings'>, sample = 5): Promise<BindingAlert[]> {
  const rows = await sequelize.query<{ kind: AlertKind; binding: string; n: string; oldest: number; minutes: number | null; ids: string[] }>(
    `with ${THRESHOLDS_CTE}, ${STALE_CTE},
     dead as (select binding, count(*)::bigint as n, min(created_at) as oldest from deliveries where status = 'dead' group by binding)
     select 'dead' as kind, dead.binding, dead.n, extract(epoch from now() - dead.oldest)::float8 as oldest, null::float8 as minutes,
       array(select x.id from deliveries x where x.binding = dead.binding and x.status = 'dead' order by x.created_at limit $4) as ids
     from dead
     union all
     select 'stale', stale.binding, stale.n, extract(epoch from now() - stale.oldest)::float8, stale.minutes,
       array(select x.id from deliveries x where x.binding = stale.binding and x.status in ('pending', 'queued', 'delivering') and x.created_at < stale.cutoff
             order by x.created_at limit $4)
     from stale
     order by kind, binding`,
    { bind: [...thresholdBinds(config), sample], type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    binding: r.binding,
    kind: r.kind,
    count: Number(r.n),
    oldestAgeSeconds: Math.floor(r.oldest),
    ...(r.kind === 'stale' ? { thresholdMinutes: Number(r.minutes) } : {}),
    deliveryIds: r.ids,
  }));
}
