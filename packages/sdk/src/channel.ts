// The channel contract: how the hub sends a citizen (and, optionally, an operator) a message.
import type { ChannelContext } from './context.ts';
import type { InboundRouteDoc, InboundRoutes } from './inbound.ts';
import type { PluginBase } from './plugin.ts';

export interface NotificationMessage {
  notificationId: string;
  to: { name?: string; email?: string; phone?: string };
  reference: string;
  /** The back office's own reference for the case, once it has given one. */
  externalRef?: string;
  serviceId: string;
  serviceTitle: string;
  /** What the citizen sent, as it reads after "your" ("noise report"; "form" when the service does not say). */
  serviceNoun: string;
  /** The citizen's private link: their tracking page, or for `saved-form` the one-time link that continues their form. */
  trackingUrl: string;
  kind: NotificationKind;
  /** One or more citizen-visible updates, oldest first (several may be combined into one message). */
  updates: { text: string; at: string }[];
  /** Council branding. */
  council: { name: string; senderEmail?: string };
  /** The service's own wording for this kind of message (placeholders not yet filled: see messageText()); absent: none. */
  texts?: { subject?: string; body?: string; sms?: string };
  /** `saved-form` only: when the link stops working and the saved answers are erased (ISO 8601). */
  expiresAt?: string;
}

/**
 * submitted: the form was received; submitted-received: the form was received and, within the confirmation window,
 * passed to the team (one message instead of two); update: the case changed; saved-form: a citizen saved an unfinished form and this
 * e-mail carries the one-time link back to it (no process yet: `reference` is empty, `updates` none).
 */
export type NotificationKind = 'submitted' | 'submitted-received' | 'update' | 'saved-form';

/** A plain-text message to the hub's operators (the alert digest): no citizen data, no template. */
export interface OperatorMessage {
  to: readonly string[];
  subject: string;
  text: string;
  /** The sender; default the channel's own. */
  from?: string;
}

export interface SendResult {
  providerRef?: string;
  /** Status as far as the provider has told us: sent (accepted), delivered. */
  status: 'sent' | 'delivered';
}

export interface Channel<Config = unknown, State = unknown> extends PluginBase<Config, State, ChannelContext<Config, State>> {
  /** Sends one message to a citizen. PermanentError: never retried; anything else is retried. */
  send(message: NotificationMessage, ctx: ChannelContext<Config, State>): Promise<SendResult>;
  /** Sends a message to operators (the alert digest names a channel that has this). */
  sendOperatorMessage?(message: OperatorMessage, ctx: ChannelContext<Config, State>): Promise<SendResult>;
  inbound?(routes: InboundRoutes, ctx: ChannelContext<Config, State>): void;
  inboundDocs?: InboundRouteDoc[];
}

/** Types a channel (Config from its schema, State from its open()). */
export function defineChannel<Config, State = undefined>(channel: Channel<Config, State>): Channel<Config, State> {
  return channel;
}
