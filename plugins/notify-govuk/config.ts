import { z } from 'zod';

const templatePair = z.strictObject({
  /** Template for the "we have received it" message. */
  submitted: z.uuid(),
  /** Template for updates. */
  update: z.uuid(),
});

export const notifyConfigSchema = z.strictObject({
  /** The GOV.UK Notify API key ({ env: NOTIFY_API_KEY }): key name, service id and secret. */
  apiKey: z.string().regex(/[0-9a-f-]{36}-[0-9a-f-]{36}$/, 'must be a GOV.UK Notify API key (name-serviceid-secret)'),
  /** Only for tests and proxies; defaults to Notify's production API. */
  baseUrl: z.url().optional(),
  templates: z.strictObject({ email: templatePair.optional(), sms: templatePair.optional() }),
  /** Which contact to use when the citizen gave both. */
  prefer: z.enum(['email', 'sms', 'both']).default('email'),
  /** The bearer token Notify sends with delivery receipts (set it in Notify's callback settings). */
  receiptToken: z.string().min(16).optional(),
  replyToId: z.uuid().optional(),
});

export type NotifyConfig = z.infer<typeof notifyConfigSchema>;
