// "Save and come back later" for the citizen's form: the e-mail address page and its confirmation under
// /services/{id}/save-and-return, and the one-time link /return/{token} (core/forms/saved-forms.ts keeps the forms).
// Opening the link only shows a page; its Continue button (POST, CSRF) uses the link up, so an e-mail scanner that
// fetches links does not.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { isEmailAddress, saveAndReturnOf, type ServiceVersion } from '../../services/index.ts';
import { formPages } from '../../forms/pages.ts';
import { firstPageToAnswer } from '../../forms/unanswered.ts';
import { CITIZEN_FORMS, clearSession, loadSession, type FormSession } from '../../forms/session.ts';
import { findSavedFormLink, restoreSavedForm, saveForLater, savedFormNotice, type SavedFormLink } from '../../forms/saved-forms.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import { failureLimiter, savedFormsLimiter, type FailureLimiter } from '../rate-limit.ts';
import { renderPage, type Council } from '../pages/index.ts';
import { CHECK } from './form-flow.ts';
import { filesMap } from './form-page-view.ts';
import { createHash } from 'node:crypto';

export const SAVE_PAGE = 'save-and-return';
/** The cookie that lets this browser's "we have sent you a link" page find the form it just saved. */
const SAVED_COOKIE = 'closeloop_saved';
const EMAIL_ERROR = 'Enter an email address in the correct format, like name@example.com';

/** The service offers "Save and come back later": not turned off, and its notify channel is configured to send the link. */
export function offersSaveAndReturn(hub: Hub, sv: ServiceVersion): boolean {
  const channel = sv.definition.notify.channel;
  return saveAndReturnOf(sv.definition).enabled && !!channel && Object.hasOwn(hub.config.channels, channel);
}

export function mountSaveAndReturn(router: Router, hub: Hub): void {
  const base = (id: string) => `/services/${id}`;
  const council = (serviceId: string): Council => hub.councils.ofService(hub.catalogue, serviceId);
  const misses: FailureLimiter = failureLimiter(hub, 'saved-form-links', hub.config.server.rateLimits.failedTrackingPerMinute);

  /** The form this browser is filling in, when it can be saved (offered, with answers, not sent). */
  async function savable(ctx: Context): Promise<{ sv: ServiceVersion; session: FormSession } | null> {
    const sv = hub.catalogue.get(ctx.params.serviceId!);
    if (!offersSaveAndReturn(hub, sv)) throw new NotFoundError('This form cannot be saved');
    const session = await loadSession(hub.db, ctx, sv.serviceId);
    if (!session || session.result || session.sending || (!Object.keys(session.answers).length && !session.files.length)) return null;
    return { sv, session };
  }

  function renderEmailPage(ctx: Context, sv: ServiceVersion, email: string, error: string | null) {
    const from = typeof ctx.query.from === 'string' && formPages(sv.definition).some((p) => p.id === ctx.query.from) ? ctx.query.from : null;
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.status = error ? 422 : 200;
    ctx.body = renderPage('save-email.njk', {
      council: council(sv.serviceId),
      title: 'Save your answers and come back later',
      serviceName: sv.definition.title,
      serviceUrl: base(sv.serviceId),
      backUrl: from ? `${base(sv.serviceId)}/${from}` : base(sv.serviceId),
      action: `${base(sv.serviceId)}/${SAVE_PAGE}${from ? `?from=${encodeURIComponent(from)}` : ''}`,
      csrf: csrfToken(ctx),
      expiresAt: new Date(Date.now() + saveAndReturnOf(sv.definition).expiresAfterDays * 86_400_000).toISOString(),
      email,
      error,
      errorSummary: !!error,
    });
  }

  router.get(`/services/:serviceId/${SAVE_PAGE}`, async (ctx) => {
    const form = await savable(ctx);
    if (!form) return ctx.redirect(base(ctx.params.serviceId!));
    const contactId = form.sv.definition.contact.email;
    const known = contactId ? form.session.answers[contactId] : undefined;
    renderEmailPage(ctx, form.sv, typeof known === 'string' ? known : '', null);
  });

  router.post(`/services/:serviceId/${SAVE_PAGE}`, async (ctx) => {
    const body = await readForm(ctx);
    checkCsrf(ctx, body._csrf);
    const form = await savable(ctx);
    if (!form) return ctx.redirect(base(ctx.params.serviceId!));
    const email = (body.email ?? '').trim();
    if (!isEmailAddress(email)) return renderEmailPage(ctx, form.sv, email, EMAIL_ERROR);
    // Both the address and the client count: neither a flood to one inbox nor one client flooding many inboxes.
    const limiter = savedFormsLimiter(hub);
    await limiter.countOrRefuse(`ip:${ctx.ip}`);
    await limiter.countOrRefuse(`email:${createHash('sha256').update(email.toLowerCase()).digest('base64url')}`);
    const saved = await saveForLater(hub.db, {
      session: form.session,
      email,
      channel: form.sv.definition.notify.channel!,
      expiresAfterDays: saveAndReturnOf(form.sv.definition).expiresAfterDays,
    });
    // The answers now live only in the saved form: a shared computer keeps none of them.
    await clearSession(hub.db, ctx, form.sv.serviceId);
    ctx.cookies.set(SAVED_COOKIE, saved.id, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      path: `${base(form.sv.serviceId)}/${SAVE_PAGE}`,
      overwrite: true,
    });
    ctx.redirect(`${base(form.sv.serviceId)}/${SAVE_PAGE}/sent`);
  });

  router.get(`/services/:serviceId/${SAVE_PAGE}/sent`, async (ctx) => {
    const sv = hub.catalogue.get(ctx.params.serviceId!);
    const id = ctx.cookies.get(SAVED_COOKIE);
    const notice = id && /^[0-9a-f-]{36}$/.test(id) ? await savedFormNotice(hub.db, id) : null;
    if (!notice || notice.serviceId !== sv.serviceId) return ctx.redirect(base(sv.serviceId));
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderPage('save-sent.njk', {
      council: council(sv.serviceId),
      title: 'Your answers have been saved',
      serviceName: sv.definition.title,
      serviceUrl: base(sv.serviceId),
      email: notice.email,
      link: notice.link,
      expiresAt: notice.expiresAt.toISOString(),
    });
  });

  router.get('/return/:token', async (ctx) => {
    const link = await findSavedFormLink(hub.db, ctx.params.token!);
    if (!link) await misses.failOrRefuse(ctx.ip);
    renderLink(ctx, link);
  });

  router.post('/return/:token', async (ctx) => {
    checkCsrf(ctx, (await readForm(ctx))._csrf);
    const token = ctx.params.token!;
    const restored = await restoreSavedForm(hub.db, ctx, token, CITIZEN_FORMS);
    if (!restored) {
      const link = await findSavedFormLink(hub.db, token);
      if (!link) await misses.failOrRefuse(ctx.ip);
      return renderLink(ctx, link);
    }
    const sv = published(restored.serviceId);
    if (!sv) return ctx.redirect('/');
    const page = firstUnansweredPage(sv, restored);
    ctx.redirect(`${base(sv.serviceId)}/${page ?? CHECK}`);
  });

  /** The link's page: Continue, or why it no longer works (410 once used or expired; 404 when unknown). */
  function renderLink(ctx: Context, link: SavedFormLink | null) {
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Robots-Tag', 'noindex, nofollow');
    const sv = link ? published(link.serviceId) : null;
    const titles = { ready: 'Continue your form', used: 'This link has already been used', expired: 'This link has expired' };
    ctx.status = !link ? 404 : link.state === 'ready' ? 200 : 410;
    ctx.body = renderPage('saved-form-link.njk', {
      council: sv ? council(sv.serviceId) : hub.config.council,
      title: link ? titles[link.state] : 'This link does not work',
      serviceName: sv?.definition.title,
      serviceUrl: sv ? base(sv.serviceId) : undefined,
      state: link?.state ?? 'unknown',
      startUrl: sv ? base(sv.serviceId) : null,
      ...(link?.state === 'ready'
        ? { savedAt: link.savedAt.toISOString(), expiresAt: link.expiresAt.toISOString(), action: ctx.path, csrf: csrfToken(ctx) }
        : {}),
    });
  }

  function published(serviceId: string): ServiceVersion | null {
    try {
      return hub.catalogue.get(serviceId);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }
}

/**
 * Where a restored form carries on: the first page the citizen has to see, one with a problem in its answers (a
 * required question not answered yet) or with none of its questions answered; null when everything is answered.
 */
export function firstUnansweredPage(sv: ServiceVersion, session: Pick<FormSession, 'answers' | 'files'>): string | null {
  return firstPageToAnswer(sv.definition, session.answers, filesMap(session))?.id ?? null;
}

async function readForm(ctx: Context): Promise<Record<string, string>> {
  const { default: getRawBody } = await import('raw-body');
  const raw = await getRawBody(ctx.req, { limit: 16 * 1024, encoding: 'utf8' });
  return Object.fromEntries(new URLSearchParams(raw));
}
