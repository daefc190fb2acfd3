// What a webhook binding needs on every delivery and update, prepared once when the binding opens.
import { GuardedHttpClient, webhookKey } from '@closeloop/sdk';
import type { WebhookConfig } from './config.ts';

/** What a binding needs on every delivery, prepared once by open(): the hot path only signs and sends. */
export interface PreparedBinding {
  config: WebhookConfig;
  /** One keep-alive agent per binding, with the SSRF guard in its DNS lookup. */
  client: GuardedHttpClient;
  key: Buffer;
  /** Static headers (extra headers and content type), merged once. */
  baseHeaders: Record<string, string>;
}

export function prepareBinding(config: WebhookConfig): PreparedBinding {
  return {
    config,
    client: new GuardedHttpClient(new URL(config.url), { allowPrivateNetwork: config.allowPrivateNetwork }),
    key: webhookKey(config.secret),
    baseHeaders: baseHeaders(config),
  };
}

export function baseHeaders(config: WebhookConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  // Extra headers first, lower-cased, so none can replace the signature, idempotency or content headers set after them.
  for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value;
  headers['content-type'] = config.format === 'json' ? 'application/json' : 'application/xml; charset=utf-8';
  headers['user-agent'] ??= 'Closeloop';
  return headers;
}
