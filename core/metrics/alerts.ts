// Alerts an operator can act on, per binding: dead deliveries (replay them once the cause is fixed) and deliveries still
// not delivered after the binding's `alerts.pendingMinutes` (the back office or the worker is stuck).
import type { Sql } from '../db/database.ts';
import type { Config } from '../config/index.ts';
import { alertRows, type ThresholdBinds } from './metrics-repo.ts';

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

/** Each binding's stale threshold, as the alert statements take them: names, minutes, and the default for the rest. */
export function thresholdBinds(config: Pick<Config, 'bindings'>): ThresholdBinds {
  const entries = Object.entries(config.bindings);
  return [entries.map(([name]) => name), entries.map(([, b]) => b.alerts?.pendingMinutes ?? DEFAULT_PENDING_MINUTES), DEFAULT_PENDING_MINUTES];
}

/** Every binding with something to act on, dead first, then by binding; each with a few delivery ids. */
export async function readAlerts(sql: Sql, config: Pick<Config, 'bindings'>, sample = 5): Promise<BindingAlert[]> {
  const rows = await alertRows(sql, thresholdBinds(config), sample);
  return rows.map((r) => ({
    binding: r.binding,
    kind: r.kind,
    count: Number(r.n),
    oldestAgeSeconds: Math.floor(r.oldest),
    ...(r.kind === 'stale' ? { thresholdMinutes: Number(r.minutes) } : {}),
    deliveryIds: r.ids,
  }));
}
