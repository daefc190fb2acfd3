// Citizen messages through GOV.UK Notify (notifications-node-client): e-mail or SMS from the citizen's contact answers,
// template id + personalisation, `reference` = our notification id, and a delivery-receipt callback route.
import { NotifyClient } from 'notifications-node-client';
import {
  bearerToken,
  defineChannel,
  errorForStatus,
  isRetryableStatus,
  PermanentError,
  problem,
  RetryableError,
  secretMatches,
  type NotificationMessage,
  type SendResult,
} from '@closeloop/sdk';
import { notifyConfigSchema, type NotifyConfig } from './config.ts';
import { handleReceipt } from './receipts.ts';

function personalisation(m: NotificationMessage): Record<string, string> {
  return {
    reference: m.reference,
    service: m.serviceTitle,
    noun: m.serviceNoun,
    update: m.updates.map((u) => u.text).join('\n\n'),
    tracking_url: m.trackingUrl,
    council: m.council.name,
  };
}

/** Notify's error answers by the SDK's rule (400/403 will not change on retry; 408, 429 and 5xx may); no answer: retried. */
function classify(err: unknown): Error {
  const e = err as { response?: { status?: number; data?: { errors?: { message?: string }[] }; headers?: Record<string, string> }; message: string };
  const status = e.response?.status;
  const detail = e.response?.data?.errors?.map((x) => x.message).join('; ') ?? e.message;
  if (!status) return new RetryableError(`GOV.UK Notify failed: ${detail}`, { cause: err });
  const message = isRetryableStatus(status) ? `GOV.UK Notify failed (${status}): ${detail}` : `GOV.UK Notify refused the message (${status}): ${detail}`;
  return errorForStatus(status, message, { retryAfter: e.response?.headers?.['retry-after'], cause: err });
}

export const channel = defineChannel<NotifyConfig, NotifyClient>({
  name: 'govuk-notify',
  description: 'E-mail and SMS through GOV.UK Notify',
  configSchema: notifyConfigSchema,

  // One Notify client per channel, kept by the hub.
  open: ({ config }) => (config.baseUrl ? new NotifyClient(config.baseUrl, config.apiKey) : new NotifyClient(config.apiKey)),

  async send(message, ctx): Promise<SendResult> {
    const { templates, prefer, replyToId } = ctx.config;
    const useEmail = !!message.to.email && !!templates.email && (prefer !== 'sms' || !message.to.phone || !templates.sms);
    const useSms = !!message.to.phone && !!templates.sms && (prefer !== 'email' || !useEmail);
    if (!useEmail && !useSms) throw new PermanentError('no contact detail matches a configured Notify template');
    const client = ctx.state;
    const options = { personalisation: personalisation(message), reference: message.notificationId };
    const sent: string[] = [];
    try {
      if (useEmail) {
        const res = await client.sendEmail(templates.email![message.kind], message.to.email!, {
          ...options,
          ...(replyToId ? { emailReplyToId: replyToId } : {}),
        });
        sent.push(res.data.id);
      }
      if (useSms) {
        const res = await client.sendSms(templates.sms![message.kind], message.to.phone!, options);
        sent.push(res.data.id);
      }
    } catch (err) {
      // If the e-mail went and the SMS failed, report success: a retry would send the e-mail twice.
      if (sent.length) return { status: 'sent', providerRef: sent.join(' ') };
      throw classify(err);
    }
    return { status: 'sent', providerRef: sent.join(' ') };
  },
  inboundDocs: [
    {
      method: 'post',
      path: '/receipts',
      summary: 'GOV.UK Notify delivery receipts',
      description: "Set this URL and the channel's receiptToken as the callback in GOV.UK Notify. Notify sends `Authorization: Bearer <receiptToken>`.",
      responses: {
        204: 'Recorded',
        400: 'Not a receipt (not JSON, not UTF-8, or no reference)',
        401: 'Wrong or missing bearer token',
        415: 'Not application/json in UTF-8',
        422: 'A key given twice, or text XML cannot carry',
      },
    },
  ],
  inbound(routes, ctx) {
    routes.post('/receipts', (req) => {
      const token = ctx.config.receiptToken;
      if (!token || !secretMatches(bearerToken(req.headers.authorization), token))
        return Promise.resolve(problem(401, 'Unauthorized', 'A valid bearer token is required'));
      return handleReceipt(req, ctx);
    });
  },
});
