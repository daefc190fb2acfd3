import { z } from 'zod';

export const smtpConfigSchema = z.strictObject({
  host: z.string().min(1).describe('The SMTP server'),
  port: z.coerce.number().int().min(1).max(65535).default(587).describe('Its port'),
  secure: z.boolean().default(false).describe('TLS from the start (port 465); otherwise STARTTLS when the server offers it'),
  requireTLS: z.boolean().default(false).describe('Refuse to send unless STARTTLS succeeds'),
  auth: z
    .strictObject({ user: z.string().describe('The SMTP user'), pass: z.string().describe('Its password ({ env: NAME })') })
    .optional()
    .describe('SMTP authentication'),
  from: z.email().describe("Default sender; the council's senderEmail wins when set"),
  replyTo: z.email().optional().describe('Reply-To address'),
  templatesDir: z
    .string()
    .default('config/templates/email')
    .describe(
      'Folder of templates (relative to the working directory): submitted.njk, update.njk, and <serviceId>/… overrides; a service definition’s own messages wording comes before them',
    ),
  pool: z.boolean().default(true).describe('Keep connections open and reuse them'),
  maxConnections: z.number().int().min(1).max(50).default(5).describe('Connections at once (with pool)'),
  messagesPerConnection: z
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe(
      'Messages sent over one connection before it is closed (with pool). A message that needs a new connection waits for its set-up (greeting, TLS, login); a server that refuses more on a connection sends the message over a new one',
    ),
  timeoutMs: z.number().int().min(1000).default(15_000).describe('Connection, greeting and socket timeout'),
});

export type SmtpConfig = z.infer<typeof smtpConfigSchema>;
