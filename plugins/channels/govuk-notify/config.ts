import { z } from 'zod';

const templatePair = z.strictObject({
  submitted: z.uuid().describe('Template id of the "we have received it" message'),
  update: z.uuid().describe('Template id of updates'),
  submittedReceived: z
    .uuid()
    .optional()
    .describe(
      'Template id of the one confirmation that says "received and passed to the team" (notifications.confirmationWindowSeconds); absent: the "submitted" template, given the same ((subject)) and ((body))',
    ),
  savedForm: z
    .uuid()
    .optional()
    .describe(
      'Template id of the "save and come back later" e-mail (its link back to the form); absent: the "submitted" template, given the same ((subject)) and ((body))',
    ),
});

export const notifyConfigSchema = z.strictObject({
  apiKey: z
    .string()
    .regex(/[0-9a-f-]{36}-[0-9a-f-]{36}$/, 'must be a GOV.UK Notify API key (name-serviceid-secret)')
    .describe('The GOV.UK Notify API key ({ env: NOTIFY_API_KEY }): key name, service id and secret'),
  baseUrl: z.url().optional().describe("Only for tests and proxies; defaults to Notify's production API"),
  templates: z
    .strictObject({ email: templatePair.optional().describe('E-mail templates'), sms: templatePair.optional().describe('Text message templates') })
    .describe('Template ids from Notify'),
  prefer: z.enum(['email', 'sms', 'both']).default('email').describe('Which contact to use when the citizen gave both'),
  receiptToken: z.string().min(16).optional().describe("The bearer token Notify sends with delivery receipts (set it in Notify's callback settings)"),
  replyToId: z.uuid().optional().describe('Id of the e-mail reply-to address set up in Notify'),
});

export type NotifyConfig = z.infer<typeof notifyConfigSchema>;
