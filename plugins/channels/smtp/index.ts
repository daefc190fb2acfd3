// Citizen e-mails over SMTP with nodemailer: HTML and plain text, per-service templates, pooled connections. Also sends
// operators' plain-text messages (the alert digest names an SMTP channel).
import nodemailer, { type Transporter } from 'nodemailer';
import { defineChannel, PermanentError, RetryableError, type SendResult } from '@closeloop/sdk';
import { smtpConfigSchema, type SmtpConfig } from './config.ts';
import { EmailTemplates } from './templates.ts';

/** One pooled transport and the compiled templates per channel, kept by the hub. */
interface Smtp {
  transport: Transporter;
  templates: EmailTemplates;
}

/** 5xx replies (mailbox does not exist, message refused) will not change on retry; 4xx and connection errors may. */
function classify(err: unknown): Error {
  const e = err as { responseCode?: number; message: string };
  if (e.responseCode && e.responseCode >= 500 && e.responseCode < 600) return new PermanentError(`SMTP refused: ${e.message}`, { cause: err });
  return new RetryableError(`SMTP failed: ${e.message}`, { cause: err });
}

export const channel = defineChannel<SmtpConfig, Smtp>({
  name: 'smtp',
  description: 'E-mail over SMTP (nodemailer)',
  configSchema: smtpConfigSchema,

  open({ config: c }) {
    const transport = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      requireTLS: c.requireTLS,
      ...(c.auth ? { auth: c.auth } : {}),
      pool: c.pool,
      maxConnections: c.maxConnections,
      // nodemailer's default is 100: one message in a hundred then waited for a new connection's set-up (the note →
      // e-mail p99, issue 21). A server's own lower limit is met with a transient reply, and nodemailer sends that
      // message over a new connection.
      maxMessages: c.messagesPerConnection,
      connectionTimeout: c.timeoutMs,
      greetingTimeout: c.timeoutMs,
      socketTimeout: c.timeoutMs,
    });
    return { transport, templates: new EmailTemplates(c.templatesDir) };
  },

  async send(message, ctx): Promise<SendResult> {
    if (!message.to.email) throw new PermanentError('the citizen gave no email address');
    const { transport, templates } = ctx.state;
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
      throw classify(err);
    }
  },

  async sendOperatorMessage(message, ctx): Promise<SendResult> {
    try {
      const info = await ctx.state.transport.sendMail({
        from: message.from ?? ctx.config.from,
        to: [...message.to],
        subject: message.subject,
        text: message.text,
      });
      return { status: 'sent', providerRef: info.messageId };
    } catch (err) {
      throw classify(err);
    }
  },

  close({ transport }) {
    transport.close();
  },
});
