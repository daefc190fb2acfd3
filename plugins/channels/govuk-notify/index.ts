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
  messageText,
  ukDateTime,
  secretMatches,
  type NotificationMessage,
  type SendResult,
} from '@closeloop/sdk';
import { notifyConfigSchema, type NotifyConfig } from './config.ts';
import { handleReceipt } from './receipts.ts';

/**
 * Every message's personalisation, for whichever fields the council's Notify template uses: ((subject)) and ((body)) carry
 * the whole message as the service words it (or the hub's default wording), so one template serves every service.
 */
function personalisation(m: NotificationMessage, medium: 'email' | 'sms'): Record<string, string> {
  return {
    subject: messageText(m, 'subject'),
    body: messageText(m, medium === 'sms' ? 'sms' : 'body'),
    reference: m.reference,
    service: m.serviceTitle,
    noun: m.serviceNoun,
    update: m.updates.map((u) => u.text).join('\n\n'),
    team_reference: m.externalRef ?? '',
    tracking_url: m.trackingUrl,
    council: m.council.name,
    expires: m.expiresAt ? ukDateTime(m.expiresAt) : '',
  };
}

/**
 * The template of this kind of message; a saved form's e-mail and the "received and passed to the team" confirmation use
 * the "submitted" one when none is set for them (its ((subject)) and ((body)) then carry their wording).
 */
function templateOf(pair: NotifyConfig['templates']['email'] & {}, m: NotificationMessage): string {
  if (m.kind === 'saved-form') return pair.savedForm ?? pair.submitted;
  if (m.kind === 'submitted-received') return pair.submittedReceived ?? pair.submitted;
  return pair[m.kind];
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
    const options = (medium: 'email' | 'sms') => ({ personalisation: personalisation(message, medium), reference: message.notificationId });
    const sent: string[] = [];
    try {
      if (useEmail) {
        const res = await client.sendEmail(templateOf(templates.email!, message), message.to.email!, {
          ...options('email'),
          ...(replyToId ? { emailReplyToId: replyToId } : {}),
        });
        sent.push(res.data.id);
      }
      if (useSms) {
        const res = await client.sendSms(templateOf(templates.sms!, message), message.to.phone!, options('sms'));
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
