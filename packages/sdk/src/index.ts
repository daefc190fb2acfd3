// @closeloop/sdk: what a Closeloop connector (back office) or channel (citizen messages) implements, what the hub gives
// it, and the helpers every one needs, written once. XML parsing lives at @closeloop/sdk/xml (it needs libxmljs2).
export * from './errors.ts';
export * from './delivery.ts';
export * from './processes.ts';
export * from './inbound.ts';
export * from './storage.ts';
export * from './context.ts';
export * from './plugin.ts';
export * from './connector.ts';
export * from './channel.ts';
export * from './http-status.ts';
export * from './secrets.ts';
export * from './standard-webhooks.ts';
export * from './ssrf-guard.ts';
export * from './guarded-http.ts';
export * from './process-events.ts';
export * from './uk-dates.ts';
export * from './message-texts.ts';
export * from './address-provider.ts';
