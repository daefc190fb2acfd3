import { z } from 'zod';

export const smtpConfigSchema = z.strictObject({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535).default(587),
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  requireTLS: z.boolean().default(false),
  auth: z.strictObject({ user: z.string(), pass: z.string() }).optional(),
  /** Default sender; the council's senderEmail wins when set. */
  from: z.email(),
  replyTo: z.email().optional(),
  /** Folder of templates (relative to the working directory): submitted.njk, update.njk, and <serviceId>/… overrides. */
  templatesDir: z.string().default('config/templates/email'),
  pool: z.boolean().default(true),
  maxConnections: z.number().int().min(1).max(50).default(5),
  timeoutMs: z.number().int().min(1000).default(15_000),
});

export type SmtpConfig = z.infer<typeof smtpConfigSchema>;
