// The overview a staff member opens first: per binding they may watch, what is queued, delivered and failing and what
// needs acting on (the same alerts as GET /api/v1/admin/alerts); per service they may see, submissions today and this week
// and tasks past their target date.
import type { Hub } from '../hub.ts';
import { readAlerts, readOverdueTasks, type BindingAlert } from '../metrics/index.ts';
import { deliveryQueueName, type Queues } from '../jobs/index.ts';
import { bindingQueues, bindingWindows, serviceSubmissions } from './overview-repo.ts';
import { staffMaySeeService, visibleBindings } from './scope.ts';
import type { StaffUser } from './types.ts';

export interface BindingFigures {
  binding: string;
  connector: string;
  council: string | null;
  /** Deliveries not yet delivered nor dead (pending, queued, delivering), from Postgres. */
  depth: number;
  /** Jobs waiting, active and delayed in the binding's BullMQ queue; null when Redis did not answer. */
  queued: { waiting: number; active: number; delayed: number } | null;
  deliveredLastHour: number;
  deliveredLastDay: number;
  /** Failed attempts (retried or dead) in the last day. */
  failedLastDay: number;
  dead: number;
  /** Seconds since the oldest undelivered delivery was created; null when none. */
  oldestPendingSeconds: number | null;
  lastSuccess: Date | null;
  alerts: BindingAlert[];
}

export interface ServiceFigures {
  serviceId: string;
  title: string;
  council: string;
  today: number;
  week: number;
  /** Tasks past their target date and not done; the earliest of those dates. */
  overdue: number;
  oldestDueAt: Date | null;
}

export interface Overview {
  bindings: BindingFigures[];
  services: ServiceFigures[];
  alerts: BindingAlert[];
}

const QUEUE_TIMEOUT_MS = 1000;

export async function readOverview(hub: Hub, user: StaffUser, queues: Queues | null): Promise<Overview> {
  const bindings = visibleBindings(user, hub.config);
  const services = hub.catalogue
    .list()
    .map((s) => ({ serviceId: s.definition.id, title: s.definition.title, council: hub.councils.idOfService(hub.catalogue, s.definition.id) }))
    .filter((s) => staffMaySeeService(user, s.serviceId, s.council));
  const [queueRows, alerts, windows, submissions, queueCounts, overdue] = await Promise.all([
    bindings.length ? bindingQueues(hub.db, bindings) : [],
    bindings.length ? readAlerts(hub.db, hub.config) : [],
    bindingWindows(hub.db, bindings),
    serviceSubmissions(
      hub.db,
      services.map((s) => s.serviceId),
    ),
    Promise.all(bindings.map((b) => queueCountsOf(queues, b))),
    services.length ? readOverdueTasks(hub.db) : [],
  ]);
  const visible = new Set(bindings);
  const ownAlerts = alerts.filter((a) => visible.has(a.binding));
  const figures = bindings.map((binding, i): BindingFigures => {
    const rows = queueRows.filter((d) => d.binding === binding);
    const undelivered = rows.filter((d) => ['pending', 'queued', 'delivering'].includes(d.status));
    const w = windows.find((x) => x.binding === binding);
    const config = hub.config.bindings[binding]!;
    return {
      binding,
      connector: config.connector,
      council: config.council ?? null,
      depth: undelivered.reduce((n, d) => n + Number(d.n), 0),
      queued: queueCounts[i]!,
      deliveredLastHour: w?.delivered_hour ?? 0,
      deliveredLastDay: w?.delivered_day ?? 0,
      failedLastDay: w?.failed_day ?? 0,
      dead: Number(rows.find((d) => d.status === 'dead')?.n ?? 0),
      oldestPendingSeconds: undelivered.length ? Math.floor(Math.max(...undelivered.map((d) => Number(d.oldest)))) : null,
      lastSuccess: w?.last_success ?? null,
      alerts: ownAlerts.filter((a) => a.binding === binding),
    };
  });
  return {
    bindings: figures,
    services: services.map((s) => {
      const row = submissions.find((r) => r.service_id === s.serviceId);
      const late = overdue.find((o) => o.service === s.serviceId);
      return { ...s, today: row?.today ?? 0, week: row?.week ?? 0, overdue: late?.count ?? 0, oldestDueAt: late?.oldestDueAt ?? null };
    }),
    alerts: ownAlerts,
  };
}

async function queueCountsOf(queues: Queues | null, binding: string): Promise<BindingFigures['queued']> {
  if (!queues) return null;
  const counts = queues.get(deliveryQueueName(binding)).getJobCounts('waiting', 'active', 'delayed');
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), QUEUE_TIMEOUT_MS).unref());
  const c = await Promise.race([counts.catch(() => null), timeout]);
  return c ? { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0 } : null;
}
