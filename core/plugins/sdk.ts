// The plugin SDK: what a connector (back office) or channel (citizen messages) implements, and what the hub gives it.
// Plugins receive their dependencies through the context; they never import the hub's internals.
import type { ZodType } from 'zod';
import type { Logger } from 'pino';

// ---------------------------------------------------------------- errors a plugin throws

/** A failure no retry can fix (bad request, schema mismatch, 4xx, SOAP client fault): the delivery is dead at once. */
export class PermanentError extends Error {
  readonly responseExcerpt?: string;
  constructor(message: string, options: { cause?: unknown; responseExcerpt?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PermanentError';
    this.responseExcerpt = options.responseExcerpt;
  }
}

/** A failure worth retrying; `retryAfterMs` (e.g. from Retry-After) delays the next attempt at least that long. */
export class RetryableError extends Error {
  readonly retryAfterMs?: number;
  readonly responseExcerpt?: string;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number; responseExcerpt?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RetryableError';
    this.retryAfterMs = options.retryAfterMs;
    this.responseExcerpt = options.responseExcerpt;
  }
}

// ---------------------------------------------------------------- what a delivery carries

export interface DeliveryDocument {
  id: string;
  /** form-json | form-html | evidence | xml */
  kind: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Where the back office can fetch it through the hub's API (needs the binding's API key). */
  url: string;
  read(): Promise<Buffer>;
}

export interface DeliveryProcess {
  id: string;
  reference: string;
  serviceId: string;
  serviceVersion: number;
  serviceTitle: string;
  submittedAt: string;
  externalRef: string | null;
  answers: Record<string, unknown>;
}

export interface DeliveryJob {
  /** Unique per process and binding; stable across retries: send it to the back office as the idempotency key. */
  deliveryId: string;
  /** 1 for the first attempt; counts every attempt, an operator's replays included (above 1, an earlier one may have reached you). */
  attempt: number;
  binding: string;
  process: DeliveryProcess;
  /** The service's XML, already validated against its XSD. */
  xml: string;
  documents: DeliveryDocument[];
}

export interface DeliveryResult {
  /** The back office's own reference for the case. */
  externalRef?: string;
  /** A short, bounded excerpt of the back office's answer, kept with the attempt for operators. */
  responseExcerpt?: string;
  detail?: unknown;
}

// ---------------------------------------------------------------- what the hub offers plugins

export type TaskStatus = 'open' | 'in_progress' | 'completed' | 'cancelled';

export interface Actor {
  /** Shown on the timeline: "Alloy EH", "webhook:sandbox". */
  name: string;
  kind: 'api-client' | 'connector' | 'admin' | 'system';
}

/**
 * `eventId`: the back office's id for the event (e.g. a webhook-id). An event id already applied for this binding is
 * ignored ({ applied: false }), atomically with the change itself, so a redelivered callback has no second effect.
 * `applied` is also false when the action changed nothing (e.g. a task already in that status).
 */
export interface ChangeOptions {
  eventId?: string;
}

export interface ProcessApi {
  /** Finds a process by id, or by the back office's reference for this binding. */
  find(ref: { processId?: string; externalRef?: string }): Promise<{ id: string; serviceId: string; status: string; externalRef: string | null } | null>;
  addNote(processId: string, note: { text: string; visibleToCitizen: boolean }, actor: Actor, options?: ChangeOptions): Promise<{ applied: boolean }>;
  /**
   * `onlyIfStatusChanges`: when the task already has this status nothing happens, not even the note (for back offices
   * that report their current state rather than changes: a repeated state must not notify the citizen twice).
   */
  updateTask(
    processId: string,
    taskKey: string,
    update: { status: TaskStatus; note?: string; visibleToCitizen?: boolean; onlyIfStatusChanges?: boolean },
    actor: Actor,
    options?: ChangeOptions,
  ): Promise<{ applied: boolean }>;
  close(processId: string, reason: string, actor: Actor, options?: ChangeOptions): Promise<{ applied: boolean }>;
}

export interface InboundRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received (for signature checks). */
  rawBody: Buffer;
}

export interface InboundResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type InboundHandler = (req: InboundRequest) => Promise<InboundResponse>;

/** Routes a plugin mounts under /connectors/{binding}/ (or /channels/{channel}/). */
export interface InboundRoutes {
  get(path: string, handler: InboundHandler): void;
  post(path: string, handler: InboundHandler): void;
}

/** Describes an inbound route for the OpenAPI document (the hub mounts it under /connectors/{binding} or /channels/{channel}). */
export interface InboundRouteDoc {
  method: 'get' | 'post';
  path: string;
  summary: string;
  description?: string;
  body?: ZodType;
  bodyExample?: unknown;
  responses: Record<number, string>;
}

export interface PluginContext<Config> {
  /** Binding (or channel) name from config. */
  name: string;
  config: Config;
  log: Logger;
  publicBaseUrl: string;
  /** The folder of closeloop.yaml: relative file paths in a plugin's config (a WSDL, a CA file) resolve from here. */
  configDir?: string;
}

export interface ConnectorContext<Config> extends PluginContext<Config> {
  processes: ProcessApi;
}

/** What a connector's poll returns: where the next poll starts (the hub stores it in Postgres between polls). */
export interface PollResult {
  cursor: string | null;
  /** How many back-office records were looked at and how many changed a process (for logs and metrics). */
  seen?: number;
  applied?: number;
}

export interface CheckResult {
  ok: boolean;
  problems: string[];
}

// ---------------------------------------------------------------- the contracts

export interface Connector<Config = unknown> {
  name: string;
  description?: string;
  configSchema: ZodType<Config>;
  deliver(job: DeliveryJob, ctx: ConnectorContext<Config>): Promise<DeliveryResult>;
  inbound?(routes: InboundRoutes, ctx: ConnectorContext<Config>): void;
  /** OpenAPI documentation of the inbound routes. */
  inboundDocs?: InboundRouteDoc[];
  check?(ctx: ConnectorContext<Config>): Promise<CheckResult>;
  /**
   * Fallback for back offices that cannot call us: asks for what changed since `cursor` (null on the first poll) and
   * applies it through ctx.processes. The hub runs it as a BullMQ job scheduler, one run at a time per binding across
   * every worker process, every `pollIntervalMs(config)` (null: this binding does not poll).
   */
  poll?(ctx: ConnectorContext<Config>, cursor: string | null): Promise<PollResult>;
  pollIntervalMs?(config: Config): number | null;
  /** Release sockets, timers, clients. */
  close?(): Promise<void>;
}

export interface NotificationMessage {
  notificationId: string;
  to: { name?: string; email?: string; phone?: string };
  reference: string;
  serviceId: string;
  serviceTitle: string;
  /** What the citizen sent, as it reads after "your" ("noise report"; "form" when the service does not say). */
  serviceNoun: string;
  trackingUrl: string;
  /** submitted | update */
  kind: 'submitted' | 'update';
  /** One or more citizen-visible updates, oldest first (several may be combined into one message). */
  updates: { text: string; at: string }[];
  /** Council branding. */
  council: { name: string; senderEmail?: string };
}

export interface SendResult {
  providerRef?: string;
  /** Status as far as the provider has told us: sent (accepted), delivered. */
  status: 'sent' | 'delivered';
}

export interface ChannelContext<Config> extends PluginContext<Config> {
  /** Record a provider's delivery receipt against a notification. */
  recordReceipt(notificationId: string, status: 'delivered' | 'permanent-failure' | 'temporary-failure' | 'technical-failure', detail?: unknown): Promise<boolean>;
}

export interface Channel<Config = unknown> {
  name: string;
  description?: string;
  configSchema: ZodType<Config>;
  send(message: NotificationMessage, ctx: ChannelContext<Config>): Promise<SendResult>;
  inbound?(routes: InboundRoutes, ctx: ChannelContext<Config>): void;
  inboundDocs?: InboundRouteDoc[];
  close?(): Promise<void>;
}

export function defineConnector<Config>(connector: Connector<Config>): Connector<Config> {
  return connector;
}

export function defineChannel<Config>(channel: Channel<Config>): Channel<Config> {
  return channel;
}
