// The tracking page's "Send a message or add evidence" form (issue 18): a citizen's reply and files while their case is
// open. Works without JavaScript: a multipart POST (the CSRF token in the URL, checked before any byte is stored), the
// page shown again with GOV.UK errors, or a redirect back to the page with "Your message has been sent".
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { trackingView, type TrackingView } from '../../processes/index.ts';
import { messageErrors, messageRules, sendCitizenMessage, type MessageRules } from '../../replies/index.ts';
import { uploadTypeNames, fileSizeText } from '../../services/index.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import { BodyTooLargeError, discardFiles, parseMultipart, type MultipartResult } from '../multipart.ts';
import { messageLimiter, trackingLimiter } from '../rate-limit.ts';
import { bindingTakesUpdates, builtBindings } from '../../plugins/bindings.ts';
import { renderErrorPage, renderNotFoundPage, type MessageFormView } from '../pages/index.ts';
import { trackingPageBody } from './tracking-page.ts';

type FieldError = NonNullable<MessageFormView['errors']>[number];

/** C0 controls other than tab and line breaks, and U+FFFE/U+FFFF: no textarea sends them, and XML (SOAP) cannot carry them. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/;

export function mountTrackMessages(router: Router, hub: Hub): void {
  router.post('/track/:token/messages', async (ctx) => {
    pageHeaders(ctx);
    const token = ctx.params.token!;
    // Before the body is read: a forged post stores nothing.
    checkCsrf(ctx, ctx.query._csrf);
    const view = await trackingView(hub.db, hub.catalogue, token);
    const council = view ? hub.councils.ofService(hub.catalogue, view.serviceId) : hub.config.council;
    ctx.type = 'text/html';
    if (!view) {
      ctx.req.resume();
      await trackingLimiter(hub).failOrRefuse(ctx.ip);
      ctx.status = 404;
      ctx.body = renderNotFoundPage(council);
      return;
    }
    if (view.status === 'closed') {
      ctx.req.resume();
      return closedPage(ctx, council);
    }
    await messageLimiter(hub).consume({ link: view.reference, address: ctx.ip });
    const rules = rulesFor(hub, view);
    let parsed: MultipartResult;
    try {
      if (!ctx.is('multipart/form-data')) throw new BodyTooLargeError('not multipart');
      parsed = await parseMultipart(
        ctx.req,
        hub.store,
        (name) => (name === 'files' ? { accept: rules.accept, maxSize: rules.maxSize } : null),
        { totalBytes: hub.config.server.limits.multipartBytes, files: rules.maxFiles, fieldBytes: 16 * 1024, fields: 10 },
        { refusedFiles: 'report' },
      );
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      ctx.status = 413;
      ctx.body = trackingPageBody(
        ctx,
        hub,
        council,
        view,
        formView(ctx, token, rules, { errors: [{ field: 'files', message: messageErrors.bodyTooLarge() }] }),
      );
      return;
    }
    const raw = parsed.fields.message;
    const text = (typeof raw === 'string' ? raw : '').replace(/\r\n?/g, '\n').trim();
    const errors = problems(text, parsed, rules);
    if (errors.length) {
      await discardFiles(hub.store, parsed.files);
      ctx.status = 400;
      ctx.body = trackingPageBody(ctx, hub, council, view, formView(ctx, token, rules, { text, errors }));
      return;
    }
    const outcome = await sendCitizenMessage(
      {
        db: hub.db,
        notifyWindowSeconds: hub.config.notifications.combineWindowSeconds,
        takesUpdates: (binding) => takesUpdates(hub, binding),
      },
      {
        token,
        text,
        files: parsed.files.map((f) => ({
          documentId: f.documentId,
          name: f.name,
          contentType: f.contentType,
          size: f.size,
          sha256: f.blob.sha256,
          storageKey: f.blob.key,
        })),
      },
    );
    if (!outcome.sent) {
      await discardFiles(hub.store, parsed.files);
      if (outcome.reason === 'closed') return closedPage(ctx, council);
      ctx.status = 404;
      ctx.body = renderNotFoundPage(council);
      return;
    }
    ctx.status = 303;
    ctx.redirect(`/track/${encodeURIComponent(token)}?sent=1`);
  });
}

/** The form for the tracking page's GET: absent once the case is closed. */
export function messageFormFor(ctx: Context, hub: Hub, token: string, view: TrackingView): MessageFormView | undefined {
  if (view.status === 'closed') return undefined;
  return formView(ctx, token, rulesFor(hub, view), { sent: ctx.query.sent === '1' });
}

export function pageHeaders(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Robots-Tag', 'noindex, nofollow');
}

function closedPage(ctx: Context, council: Parameters<typeof renderErrorPage>[0]): void {
  ctx.status = 409;
  ctx.type = 'text/html';
  ctx.body = renderErrorPage(
    council,
    'You cannot send a message about this case',
    'This case is closed, so messages and evidence can no longer be added to it. If something has changed, start a new report.',
  );
}

function rulesFor(hub: Hub, view: TrackingView): MessageRules {
  let fields: Parameters<typeof messageRules>[0]['fields'] = [];
  try {
    fields = hub.catalogue.get(view.serviceId).definition.fields;
  } catch {
    // A service no longer published: the default evidence rules.
  }
  return messageRules({ fields }, hub.config.server.limits.files);
}

function formView(ctx: Context, token: string, rules: MessageRules, extra: Partial<MessageFormView>): MessageFormView {
  const names = uploadTypeNames(rules.accept);
  const types = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0];
  return {
    action: `/track/${encodeURIComponent(token)}/messages?_csrf=${encodeURIComponent(csrfToken(ctx))}`,
    maxChars: rules.maxChars,
    maxFiles: rules.maxFiles,
    filesHint: `Files must be ${types}, each smaller than ${fileSizeText(rules.maxSize)}`,
    ...extra,
  };
}

function problems(text: string, parsed: MultipartResult, rules: MessageRules): FieldError[] {
  const errors: FieldError[] = [];
  if (Array.from(text).length > rules.maxChars) errors.push({ field: 'message', message: messageErrors.tooLong(rules) });
  else if (CONTROL.test(text)) errors.push({ field: 'message', message: 'Your message must only include letters, numbers, spaces and punctuation' });
  const refused = parsed.refused[0];
  if (parsed.tooManyFiles) errors.push({ field: 'files', message: messageErrors.tooManyFiles(rules) });
  else if (refused) errors.push({ field: 'files', message: refused.reason === 'type' ? messageErrors.fileType(rules) : messageErrors.fileSize(rules) });
  if (!errors.length && !text && !parsed.files.length) errors.push({ field: 'message', message: messageErrors.empty() });
  return errors;
}

/** Whether the binding takes updates, from the bindings the serve role built at start. */
async function takesUpdates(hub: Hub, binding: string): Promise<boolean> {
  const built = await builtBindings(hub);
  const b = built?.get(binding);
  return b ? bindingTakesUpdates(b) : false;
}
