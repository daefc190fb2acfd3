// What the hub gives a plugin: its name and validated config, a logger, and per-binding state it owns for the plugin.
import type { ProcessApi } from './processes.ts';
import type { PluginDatabase } from './storage.ts';

/** The hub's logger (pino): an object first (never citizens' answers or secrets), then the message. */
export interface PluginLogger {
  error(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): PluginLogger;
}

/** Pages in the hub's look: the GOV.UK layout with the council's header, served with the hub's own assets. */
export interface HubPages {
  /**
   * Renders `template` from `templatesDir` (nunjucks, autoescaped). A template may `{% extends "layout.njk" %}` and use
   * govuk-frontend's macros ("govuk/components/…/macro.njk"), the filters `ukDate` and `ukDateTime`, and the hub's
   * `error.njk` ({ title, heading, message }). `council` is filled in.
   */
  render(templatesDir: string, template: string, context: Record<string, unknown>): string;
}

export interface PluginContext<Config> {
  /** Binding (or channel) name from config. */
  name: string;
  config: Config;
  log: PluginLogger;
  publicBaseUrl: string;
  /** The folder of closeloop.yaml: relative file paths in a plugin's config (a WSDL, a CA file) resolve from here. */
  configDir?: string;
  /** The plugin's own tables (see `migrations`); given to plugins that declare migrations. */
  database?: PluginDatabase;
  /** Pages in the hub's look, for plugins whose inbound routes answer people (the sandbox back office). */
  pages?: HubPages;
}

export interface ConnectorContext<Config, State = unknown> extends PluginContext<Config> {
  processes: ProcessApi;
  /** What the connector's open() returned for this binding (undefined without open). */
  state: State;
}

/** A provider's delivery receipt for a notification. */
export type ReceiptStatus = 'delivered' | 'permanent-failure' | 'temporary-failure' | 'technical-failure';

export interface ChannelContext<Config, State = unknown> extends PluginContext<Config> {
  /** Record a provider's delivery receipt against a notification. */
  recordReceipt(notificationId: string, status: ReceiptStatus, detail?: unknown): Promise<boolean>;
  /** What the channel's open() returned (undefined without open). */
  state: State;
}
