// Hub-wide figures, read from Postgres when scraped, so every serve process reports the whole hub whatever the number of
// serve and worker processes. One statement (under a statement timeout), cached for `cacheSeconds`, one query in flight at
// a time: a scrape storm costs one query per process per cache period.
import type { Database } from '../db/database.ts';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { ALERT_KINDS, thresholdBinds, UNDELIVERED } from './alerts.ts';
import { hubSnapshot, type HubSnapshot } from './metrics-repo.ts';
import { METRIC_PREFIX } from './process-metrics.ts';

const DELIVERY_STATUSES = ['pending', 'queued', 'delivering', 'delivered', 'dead'];
const NOTIFICATION_STATUSES = ['pending', 'queued', 'sending', 'sent', 'delivered', 'failed', 'skipped'];
const STATEMENT_TIMEOUT_MS = 5000;

export type { HubSnapshot };

export async function readHubSnapshot(db: Database, config: Pick<Config, 'bindings'>): Promise<HubSnapshot> {
  return hubSnapshot(db, thresholdBinds(config), STATEMENT_TIMEOUT_MS);
}

export class HubMetrics {
  readonly registry = new Registry();
  private takenAt = 0;
  private inflight: Promise<void> | null = null;
  private readonly submissions: Counter<'service'>;
  private readonly deliveries: Gauge<'binding' | 'status'>;
  private readonly attempts: Counter<'binding' | 'outcome'>;
  private readonly deadLetters: Gauge<'binding'>;
  private readonly depth: Gauge<'binding'>;
  private readonly oldest: Gauge<'binding'>;
  private readonly notifications: Gauge<'channel' | 'status'>;
  private readonly alerts: Gauge<'binding' | 'kind'>;
  private readonly overdue: Gauge<'service'>;
  private readonly up: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly errors: Counter;

  constructor(
    private readonly db: Database,
    private readonly config: Pick<Config, 'bindings' | 'channels'>,
    private readonly cacheMs: number,
    private readonly log: Logger,
  ) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    this.submissions = new Counter({
      name: `${p}submissions_total`,
      help: 'Processes submitted, by service (hub-wide, from Postgres)',
      labelNames: ['service'],
      registers,
    });
    this.deliveries = new Gauge({
      name: `${p}deliveries`,
      help: 'Deliveries by binding and current status (hub-wide)',
      labelNames: ['binding', 'status'],
      registers,
    });
    this.attempts = new Counter({
      name: `${p}delivery_attempts_total`,
      help: 'Delivery attempts by binding and outcome: delivered, retry, dead (hub-wide)',
      labelNames: ['binding', 'outcome'],
      registers,
    });
    this.deadLetters = new Gauge({
      name: `${p}dead_letters`,
      help: 'Dead deliveries waiting for an operator to replay them, by binding',
      labelNames: ['binding'],
      registers,
    });
    this.depth = new Gauge({
      name: `${p}delivery_queue_depth`,
      help: 'Deliveries not yet delivered nor dead (pending, queued or delivering), by binding',
      labelNames: ['binding'],
      registers,
    });
    this.oldest = new Gauge({
      name: `${p}delivery_oldest_pending_age_seconds`,
      help: 'Age of the oldest delivery not yet delivered nor dead, since it was created; 0 when none',
      labelNames: ['binding'],
      registers,
    });
    this.notifications = new Gauge({
      name: `${p}notifications`,
      help: 'Citizen notifications by channel and current status (hub-wide)',
      labelNames: ['channel', 'status'],
      registers,
    });
    this.alerts = new Gauge({
      name: `${p}delivery_alerts`,
      help: 'Deliveries needing an operator, by binding: kind="dead", or kind="stale" (undelivered past the binding\'s alerts.pendingMinutes)',
      labelNames: ['binding', 'kind'],
      registers,
    });
    this.overdue = new Gauge({
      name: `${p}overdue_tasks`,
      help: 'Tasks past their target date and not done (of cases not completed or closed), by service',
      labelNames: ['service'],
      registers,
    });
    this.up = new Gauge({
      name: `${p}hub_stats_up`,
      help: '1 when the last read of the hub-wide figures from Postgres succeeded, else 0 (the figures are then the last good ones)',
      registers,
    });
    this.lastSuccess = new Gauge({
      name: `${p}hub_stats_last_success_timestamp_seconds`,
      help: 'When the hub-wide figures were last read from Postgres',
      registers,
    });
    this.errors = new Counter({ name: `${p}hub_stats_errors_total`, help: 'Failed reads of the hub-wide figures by this process', registers });
  }

  /** The hub-wide metrics in the Prometheus text format, read from Postgres unless the last read is recent enough. */
  async metrics(): Promise<string> {
    await this.refresh();
    return this.registry.metrics();
  }

  async refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.takenAt && Date.now() - this.takenAt < this.cacheMs) return;
    this.inflight = this.load().finally(() => {
      this.takenAt = Date.now();
      this.inflight = null;
    });
    return this.inflight;
  }

  private async load(): Promise<void> {
    try {
      this.apply(await readHubSnapshot(this.db, this.config));
      this.up.set(1);
      this.lastSuccess.set(Date.now() / 1000);
    } catch (err) {
      this.up.set(0);
      this.errors.inc();
      this.log.warn({ err: (err as Error).message }, 'could not read hub metrics from Postgres');
    }
  }

  private apply(s: HubSnapshot): void {
    const bindings = new Set([...Object.keys(this.config.bindings), ...s.deliveries.map((d) => d.binding)]);
    const channels = new Set([...Object.keys(this.config.channels), ...s.notifications.map((n) => n.channel)]);
    for (const m of [
      this.submissions,
      this.deliveries,
      this.attempts,
      this.deadLetters,
      this.depth,
      this.oldest,
      this.notifications,
      this.alerts,
      this.overdue,
    ])
      m.reset();

    for (const r of s.submissions) this.submissions.inc({ service: r.service }, Number(r.n));
    for (const binding of bindings) {
      for (const status of DELIVERY_STATUSES) this.deliveries.set({ binding, status }, 0);
      this.deadLetters.set({ binding }, 0);
      this.depth.set({ binding }, 0);
      this.oldest.set({ binding }, 0);
      for (const kind of ALERT_KINDS) this.alerts.set({ binding, kind }, 0);
    }
    const oldest = new Map<string, number>();
    for (const d of s.deliveries) {
      this.deliveries.set({ binding: d.binding, status: d.status }, Number(d.n));
      if (d.status === 'dead') {
        this.deadLetters.set({ binding: d.binding }, Number(d.n));
        this.alerts.set({ binding: d.binding, kind: 'dead' }, Number(d.n));
      }
      if (UNDELIVERED.includes(d.status)) {
        this.depth.inc({ binding: d.binding }, Number(d.n));
        oldest.set(d.binding, Math.max(oldest.get(d.binding) ?? 0, Math.floor(Number(d.oldest))));
      }
    }
    for (const [binding, age] of oldest) this.oldest.set({ binding }, age);
    for (const r of s.attempts) this.attempts.inc({ binding: r.binding, outcome: r.outcome }, Number(r.n));
    for (const channel of channels) for (const status of NOTIFICATION_STATUSES) this.notifications.set({ channel, status }, 0);
    for (const n of s.notifications) this.notifications.set({ channel: n.channel, status: n.status }, Number(n.n));
    for (const r of s.stale) this.alerts.set({ binding: r.binding, kind: 'stale' }, Number(r.n));
    for (const r of s.submissions) this.overdue.set({ service: r.service }, 0);
    for (const r of s.overdue) this.overdue.set({ service: r.service }, Number(r.n));
  }
}
