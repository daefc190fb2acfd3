// The connector contract: how the hub sends a delivery to a back office, and how the back office's changes come back.
import type { ConnectorContext } from './context.ts';
import type { CheckResult, DeliveryJob, DeliveryResult, PollResult, UpdateJob } from './delivery.ts';
import type { InboundRouteDoc, InboundRoutes } from './inbound.ts';
import type { PluginBase } from './plugin.ts';

export interface Connector<Config = unknown, State = unknown> extends PluginBase<Config, State, ConnectorContext<Config, State>> {
  /**
   * Sends one delivery. Throw PermanentError for what no retry can fix (the delivery is dead at once), RetryableError
   * (or any other error) for the rest. Send job.deliveryId as the idempotency key: delivery is at least once.
   */
  deliver(job: DeliveryJob, ctx: ConnectorContext<Config, State>): Promise<DeliveryResult>;
  /**
   * Optional: sends a citizen's reply or further evidence on a case the back office already has. A connector that
   * declares it takes updates; the hub queues one update delivery per message and binding, with the same outbox, retry
   * schedule, dead letter and replay as deliveries. Send job.updateId as the idempotency key (at least once).
   */
  deliverUpdate?(job: UpdateJob, ctx: ConnectorContext<Config, State>): Promise<DeliveryResult>;
  /** Whether a binding with this config takes updates (default: every binding of a connector with deliverUpdate). */
  takesUpdates?(config: Config): boolean;
  /** Mounts the routes the back office calls (or people use) under /connectors/{binding}/. */
  inbound?(routes: InboundRoutes, ctx: ConnectorContext<Config, State>): void;
  /** OpenAPI documentation of the inbound routes. */
  inboundDocs?: InboundRouteDoc[];
  /** Asks the back office whether the config works (keys, codes, operations) without changing anything (check-config --connect). */
  check?(ctx: ConnectorContext<Config, State>): Promise<CheckResult>;
  /**
   * Fallback for back offices that cannot call us: asks for what changed since `cursor` (null on the first poll) and
   * applies it through ctx.processes. The hub runs it as a BullMQ job scheduler, one run at a time per binding across
   * every worker process, every `pollIntervalMs(config)` (null: this binding does not poll). The worker commits
   * asynchronously, so after a Postgres crash the same changes may be asked for again from an earlier cursor: apply them
   * idempotently, and never acknowledge or delete them at the back office.
   */
  poll?(ctx: ConnectorContext<Config, State>, cursor: string | null): Promise<PollResult>;
  pollIntervalMs?(config: Config): number | null;
}

/** Types a connector (Config from its schema, State from its open()). */
export function defineConnector<Config, State = undefined>(connector: Connector<Config, State>): Connector<Config, State> {
  return connector;
}
