// Citizen e-mails over SMTP with nodemailer: HTML and plain text, per-service templates, pooled connections.
import nodemailer, { type Transporter } from 'nodemailer';
import { defineChannel, PermanentError, RetryableError, type ChannelContext } from '../../core/plugins/index.ts';
import { smtpConfigSchema, type SmtpConfig } from './config.ts';
import { EmailTemplates } from './templates.ts';

interface Runtime {
  transport: Transporter;
  templates: EmailTemplates;
}

const runtimes = new WeakMap<ChannelContext<SmtpConfig>, Runtime>();
const open = new Set<Transporter>();

function runtimeFor(ctx: ChannelContext<SmtpConfig>): Runtime {
  let rt = runtimes.get(ctx);
  if (!rt) {
    const c = ctx.config;
    const transport = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      requireTLS: c.requireTLS,
      ...(c.auth ? { auth: c.auth } : {}),
      pool: c.pool,
      maxConnections: c.maxConnections,
      connectionTimeout: c.timeoutMs,
      greetingTimeout: c.timeoutMs,
      socketTimeout: c.timeoutMs,
    });
    rt = { transport, templates: new EmailTemplates(c.templatesDir) };
    runtimes.set(ctx, rt);
    open.add(transport);
  }
  return rt;
}

export const channel = defineChannel<SmtpConfig>({
  name: 'smtp',
  description: 'E-mail over SMTP (nodemailer)',
  configSchema: smtpConfigSchema,
  async send(message, ctx) {
    if (!message.to.email) throw new PermanentError('the citizen gave no email address');
    const { transport, templates } = runtimeFor(ctx);
    const mail = templates.render(message);
    try {
      const info = await transport.sendMail({
        from: { name: message.council.name, address: message.council.senderEmail ?? ctx.config.from },
        to: message.to.name ? { name: message.to.name, address: message.to.email } : message.to.email,
        ...(ctx.config.replyTo ? { replyTo: ctx.config.replyTo } : {}),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: { 'X-Closeloop-Notification': message.notificationId, 'X-Closeloop-Reference': message.reference },
      });
      return { status: 'sent', providerRef: info.messageId };
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message: string };
      // 5xx replies (mailbox does not exist, message refused) will not change on retry; 4xx and connection errors may.
      if (e.responseCode && e.responseCode >= 500 && e.responseCode < 600) throw new PermanentError(`SMTP refused: ${e.message}`, { cause: err });
      throw new RetryableError(`SMTP failed: ${e.message}`, { cause: err });
    }
  },
  async close() {
    for (const t of open) t.close();
    open.clear();
  },
});
