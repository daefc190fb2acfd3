// The citizen form's pages, built from a definition: start page, question pages (one question or a group per page),
// check your answers, confirmation. One flow serves two hosts: the citizen's form at /services/{id} (published version,
// answers sent through the submission code) and the designer's "try it" at /staff/services/{id}/try (the working draft,
// sent nowhere). The host says where the pages live, which definition they show and what "send" does.
import { refuseLookup } from '../lookup-limit.ts';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Hub } from '../../hub.ts';
import { ValidationError, type FieldError } from '../../errors.ts';
import { validateAnswers, isFieldShown, errorMessages, serviceNoun, type FileField, type ServiceVersion } from '../../services/index.ts';
import { displayAnswer } from '../../documents/form-copy.ts';
import { pageAnswers } from '../../forms/form-input.ts';
import { formPages, nextPage, previousPage, visibleFields, type FormPage } from '../../forms/pages.ts';
import { claimForSending, clearSession, loadSession, markSent, releaseClaim, saveAnswers, type FormSession, type SentForm } from '../../forms/session.ts';
import type { ConfirmationNotice } from '../../forms/confirmation.ts';
import { answersFromFormFields } from '../form-fields.ts';
import { BodyTooLargeError } from '../multipart.ts';
import { renderErrorPage, renderPage } from '../pages/index.ts';
import { textProblems } from '../route.ts';
import { errorsOnPage, filesMap, questionPageView, rawDates, summaryOf, uploadErrors } from './form-page-view.ts';
import { lookupFieldOf, mountFindAddress, renderFindAddress, showsFinder } from './find-address.ts';
import { locationStep } from '../../forms/location/page-step.ts';
import { locationMapOf } from '../../forms/location/map.ts';
import { locationMapHeaders } from '../location-headers.ts';
import type { FormHost, PostedPage } from './form-host.ts';

export type { FormHost, PostedPage } from './form-host.ts';

export const CHECK = 'check-answers';
export const CONFIRMATION = 'confirmation';

/** A sent form is only ever shown as its confirmation (answers gone; a second send impossible). */
function isSentOrSending(session: FormSession | null): boolean {
  return !!session && (!!session.result || session.sending);
}

export function mountFormFlow(router: Router, hub: Hub, host: FormHost, guard: Middleware[] = []): void {
  const base = (id: string) => host.base(id);
  const load = (ctx: Context, id: string) => loadSession(hub.db, ctx, host.sessions.key(id), host.sessions.place);

  function renderQuestionPage(
    ctx: Context,
    sv: ServiceVersion,
    page: FormPage,
    values: Record<string, unknown>,
    errors: FieldError[],
    session: FormSession | null,
  ) {
    const def = sv.definition;
    const change = ctx.query.change === '1';
    // An address question asked with the finder: its typed fields are "enter the address manually", reached from the finder.
    const finderUrl = lookupFieldOf(page, values) ? `${base(def.id)}/${page.id}?find=1${change ? '&change=1' : ''}` : null;
    // A location question's map: its tiles' host allowed by the page's CSP (no tiles configured: no map, no change).
    const map = page.fields.some((f) => f.type === 'location') ? locationMapOf(hub.config, host.council(sv).id) : null;
    if (map) for (const [name, value] of Object.entries(locationMapHeaders(map))) ctx.set(name, value);
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderPage('form-page.njk', {
      ...questionPageView(def, page, values, errors, session, map),
      council: host.council(sv),
      serviceUrl: base(def.id),
      action: host.pageAction(ctx, base(def.id), page.id, change),
      backUrl: finderUrl ?? backFrom(ctx, sv, page, values),
      saveAndReturn: !!host.saveAndReturn?.(sv, page.id),
      ...host.view(ctx, sv),
    });
  }

  /** The back link of a question page: check your answers when changing an answer, else the page before. */
  function backFrom(ctx: Context, sv: ServiceVersion, page: FormPage, values: Record<string, unknown>): string {
    const prev = previousPage(sv.definition, page.id, values);
    return ctx.query.change === '1' ? `${base(sv.serviceId)}/${CHECK}` : prev ? `${base(sv.serviceId)}/${prev.id}` : base(sv.serviceId);
  }

  /** After a page's answers are saved: the next page to ask, or check your answers (also after changing one answer). */
  function goOn(ctx: Context, sv: ServiceVersion, page: FormPage, answers: Record<string, unknown>): void {
    const following = ctx.query.change === '1' ? null : nextPage(sv.definition, page.id, answers);
    ctx.redirect(following ? `${base(sv.serviceId)}/${following.id}` : `${base(sv.serviceId)}/${CHECK}`);
  }

  mountFindAddress(
    router,
    hub,
    host,
    {
      load,
      isSentOrSending,
      keepAnswer: async (ctx, sv, page, field, answer, current) => {
        const session: FormSession = current ?? { serviceId: sv.serviceId, serviceVersion: sv.version, answers: {}, files: [], result: null, sending: false };
        const answers = { ...session.answers, [field.id]: answer };
        if (answer === undefined) delete answers[field.id];
        const invalid = errorsOnPage(validateAnswers(sv.definition, answers, filesMap(session)).errors, [field]);
        // An address the provider gives that the question cannot take (a line over 200 characters): shown to be typed.
        if (invalid.length) {
          ctx.status = 422;
          return renderQuestionPage(ctx, sv, page, answers, invalid, session);
        }
        const saved = await saveAnswers(
          hub.db,
          ctx,
          { ...session, serviceVersion: sv.version, answers, serviceId: host.sessions.key(sv.serviceId) },
          host.sessions.place,
        );
        if (!saved) return ctx.redirect(`${base(sv.serviceId)}/${CONFIRMATION}`);
        // A found address outside the council's area: who to contact instead, as for a typed one.
        const elsewhere = host.outsideArea?.(sv, page, answers);
        if (elsewhere) return ctx.redirect(elsewhere);
        goOn(ctx, sv, page, answers);
      },
    },
    guard,
  );

  router.get(host.route, ...guard, async (ctx) => {
    const sv = await host.service(ctx, ctx.params.serviceId!);
    const previous = await load(ctx, sv.serviceId);
    // A sent form is done with: starting again starts a fresh form.
    if (previous?.result) await clearSession(hub.db, ctx, host.sessions.key(sv.serviceId), host.sessions.place);
    const first = formPages(sv.definition)[0]!;
    ctx.type = 'text/html';
    ctx.body = renderPage('form-start.njk', {
      council: host.council(sv),
      title: sv.definition.title,
      serviceName: sv.definition.title,
      service: sv.definition,
      minutes: Math.max(5, Math.round(sv.definition.fields.length * 0.7)),
      startUrl: `${base(sv.serviceId)}/${first.id}`,
      ...host.view(ctx, sv),
    });
  });

  router.get(`${host.route}/:pageId`, ...guard, async (ctx, next) => {
    const sv = await host.service(ctx, ctx.params.serviceId!);
    if (ctx.params.pageId === CHECK) return showCheckAnswers(ctx, sv);
    if (ctx.params.pageId === CONFIRMATION) return showConfirmation(ctx, sv);
    const page = formPages(sv.definition).find((p) => p.id === ctx.params.pageId);
    if (!page) return next();
    const session = await load(ctx, sv.serviceId);
    if (isSentOrSending(session)) return ctx.redirect(`${base(sv.serviceId)}/${CONFIRMATION}`);
    const answers = session?.answers ?? {};
    const finding = lookupFieldOf(page, answers);
    if (finding && showsFinder(ctx, answers[finding.id])) {
      const postcode = (answers[finding.id] as { postcode?: string } | undefined)?.postcode;
      return renderFindAddress(ctx, host, sv, page, finding, backFrom(ctx, sv, page, answers), { postcode });
    }
    renderQuestionPage(ctx, sv, page, answers, [], session);
  });

  router.post(`${host.route}/:pageId`, ...guard, async (ctx, next) => {
    const sv = await host.service(ctx, ctx.params.serviceId!);
    if (ctx.params.pageId === CHECK) return sendForm(ctx, sv);
    const def = sv.definition;
    const pages = formPages(def);
    const page = pages.find((p) => p.id === ctx.params.pageId);
    if (!page) return next();
    const confirmation = `${base(def.id)}/${CONFIRMATION}`;
    const fileFields = new Map(page.fields.filter((f): f is FileField => f.type === 'file').map((f) => [f.id, f]));
    host.checkPageCsrf(ctx);
    let posted: PostedPage;
    const current = await load(ctx, sv.serviceId);
    // A sent form is not changed (nor sent again): its pages show the confirmation. Nothing of this body is stored.
    if (isSentOrSending(current)) {
      ctx.req.resume();
      return ctx.redirect(confirmation);
    }
    try {
      posted = await host.readPage(ctx, fileFields);
    } catch (err) {
      // A body over the hub's limit is not read at all: on a page with a file question, that file was too large.
      const fileField = [...fileFields.values()][0];
      if (!(err instanceof BodyTooLargeError) || !fileField) throw err;
      ctx.status = 422;
      renderQuestionPage(ctx, sv, page, current?.answers ?? {}, [{ field: fileField.id, message: errorMessages.fileSize(fileField) }], current);
      return;
    }
    const { fields, files: newFiles } = posted;
    // Text no browser sends (a NUL character, a lone surrogate) is refused before it reaches the session row.
    const unusable = textProblems(fields);
    if (unusable.length) {
      await posted.discard();
      throw new ValidationError(`The form cannot be saved: ${unusable.map((p) => `${p.field} ${p.message}`).join('; ')}`, unusable);
    }
    const session: FormSession = current ?? { serviceId: sv.serviceId, serviceVersion: sv.version, answers: {}, files: [], result: null, sending: false };
    if (session.serviceVersion !== sv.version) Object.assign(session, { serviceVersion: sv.version });
    const postedAnswers = pageAnswers(page.fields, answersFromFormFields(fields));
    const answers = { ...session.answers };
    for (const f of page.fields) if (f.type !== 'file') answers[f.id] = postedAnswers[f.id];
    for (const [k, v] of Object.entries(answers)) if (v === undefined) delete answers[k];
    if (page.fields.some((f) => f.type === 'location')) {
      const council = host.council(sv).id;
      const mayLookUp = async () => (await refuseLookup(hub, ctx)) === null;
      const step = await locationStep(hub, council, visibleFields(page, answers), answers, !!locationMapOf(hub.config, council), mayLookUp);
      if (step.show) {
        await posted.discard();
        ctx.status = step.tooManyLookups ? 429 : step.errors.length ? 422 : 200;
        renderQuestionPage(ctx, sv, page, step.values, step.errors, session);
        return;
      }
      for (const k of Object.keys(answers)) delete answers[k];
      Object.assign(answers, step.answers);
    }
    const replaced = new Set(newFiles.map((f) => f.fieldId));
    const nextSession: FormSession = { ...session, answers, files: [...session.files.filter((f) => !replaced.has(f.fieldId)), ...newFiles] };

    const refused = uploadErrors(posted, fileFields);
    const checked = validateAnswers(def, answers, filesMap(nextSession));
    const invalid = errorsOnPage(
      checked.errors,
      visibleFields(page, answers).filter((f) => isFieldShown(f, answers)),
    );
    // A refused file is the problem with its question; the answers' other problems are shown with it, in page order.
    const order = (e: FieldError) => page.fields.findIndex((f) => f.id === e.field.split('.')[0]);
    const errors = [...refused, ...invalid.filter((e) => !refused.some((r) => r.field === e.field))].sort((a, b) => order(a) - order(b));
    if (errors.length) {
      await posted.discard();
      ctx.status = 422;
      renderQuestionPage(ctx, sv, page, { ...answers, ...rawDates(page.fields, answersFromFormFields(fields)) }, errors, session);
      return;
    }
    if (!(await saveAnswers(hub.db, ctx, { ...nextSession, serviceId: host.sessions.key(sv.serviceId) }, host.sessions.place))) {
      // Sent from another tab meanwhile.
      await posted.discard();
      return ctx.redirect(confirmation);
    }
    // A place outside the council's area: the citizen hears who to contact at once, not after answering everything.
    const elsewhere = host.outsideArea?.(sv, page, answers);
    if (elsewhere) return ctx.redirect(elsewhere);
    const saveUrl = fields.saveAndReturn ? host.saveAndReturn?.(sv, page.id) : null;
    if (saveUrl) return ctx.redirect(saveUrl);
    goOn(ctx, sv, page, answers);
  });

  async function showCheckAnswers(ctx: Context, sv: ServiceVersion, errors: FieldError[] = []) {
    const def = sv.definition;
    const session = await load(ctx, sv.serviceId);
    if (!session) return ctx.redirect(base(def.id));
    // After sending, the answers are gone and there is nothing to send again.
    if (isSentOrSending(session)) return ctx.redirect(`${base(def.id)}/${CONFIRMATION}`);
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.status = errors.length ? 422 : 200;
    ctx.body = renderPage('check-answers.njk', {
      ...checkAnswersView(sv, session.answers, filesMap(session), base(def.id), errors),
      council: host.council(sv),
      csrf: host.csrf(ctx),
      ...host.view(ctx, sv),
    });
  }

  async function sendForm(ctx: Context, sv: ServiceVersion) {
    await host.checkSend(ctx);
    const key = host.sessions.key(sv.serviceId);
    const confirmation = `${base(sv.serviceId)}/${CONFIRMATION}`;
    // Only one request can claim the answers: a second click, a second tab or a form re-posted later finds them gone.
    const claimed = await claimForSending(hub.db, ctx, key, host.sessions.place);
    if (!claimed) return ctx.redirect(isSentOrSending(await load(ctx, sv.serviceId)) ? confirmation : base(sv.serviceId));
    const session = { ...claimed, serviceId: sv.serviceId };
    let result: SentForm;
    try {
      result = await host.send(ctx, sv, session);
    } catch (err) {
      await releaseClaim(hub.db, ctx, key, host.sessions.place);
      if (err instanceof ValidationError) return showCheckAnswers(ctx, sv, err.errors);
      throw err;
    }
    await markSent(hub.db, ctx, key, result, host.sessions.place);
    ctx.redirect(confirmation);
  }

  async function showConfirmation(ctx: Context, sv: ServiceVersion) {
    let session = await load(ctx, sv.serviceId);
    // A second click while the first is still sending: wait for the first to finish (well under a second as a rule).
    for (let waited = 0; session?.sending && waited < 10_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      session = await load(ctx, sv.serviceId);
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html';
    if (session?.sending) {
      ctx.status = 503;
      ctx.set('Retry-After', '10');
      ctx.body = renderErrorPage(host.council(sv), 'Your form is still being sent', 'Wait a minute, then refresh this page to see your reference.');
      return;
    }
    if (!session?.result) return ctx.redirect(session ? `${base(sv.serviceId)}/${CHECK}` : base(sv.serviceId));
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = renderPage('confirmation.njk', {
      ...confirmationView(sv, session.result, await host.notice(session.result)),
      council: host.council(sv),
      serviceUrl: base(sv.serviceId),
      ...host.view(ctx, sv),
    });
  }
}

/** The check-your-answers page's content (also the designer's preview of it, with sample answers). */
export function checkAnswersView(
  sv: ServiceVersion,
  answers: Record<string, unknown>,
  files: ReturnType<typeof filesMap>,
  base: string,
  errors: FieldError[] = [],
): Record<string, unknown> {
  const def = sv.definition;
  const pages = formPages(def);
  const checked = validateAnswers(def, answers, files);
  const rows = def.fields
    .filter((f) => isFieldShown(f, checked.answers))
    .map((f) => {
      const page = pages.find((p) => p.fields.includes(f))!;
      return {
        key: { text: f.label },
        value: { html: displayAnswer(f, forCitizen(f, checked.answers[f.id])) },
        actions: { items: [{ href: `${base}/${page.id}?change=1`, text: 'Change', visuallyHiddenText: f.label.toLowerCase() }] },
      };
    });
  const last = [...pages].reverse().find((p) => visibleFields(p, answers).length);
  const pageOf = (e: FieldError) => pages.find((p) => p.fields.some((f) => f.id === e.field.split('.')[0]));
  return {
    title: 'Check your answers',
    serviceName: def.title,
    serviceUrl: base,
    service: def,
    noun: serviceNoun(def),
    rows,
    action: `${base}/${CHECK}`,
    backUrl: last ? `${base}/${last.id}` : base,
    errorSummary: errors.length ? summaryOf(errors, def.fields, (e) => (pageOf(e) ? `${base}/${pageOf(e)!.id}?change=1` : '#')) : null,
  };
}

/** The confirmation page's content. */
export function confirmationView(sv: ServiceVersion, result: SentForm, notice: ConfirmationNotice | null): Record<string, unknown> {
  const noun = serviceNoun(sv.definition);
  return { title: `We have received your ${noun}`, serviceName: sv.definition.title, service: sv.definition, noun, result, notice };
}

/** An address found in the council's list is shown to the citizen as its lines: its coordinates are for the back office. */
function forCitizen(field: { type: string }, value: unknown): unknown {
  if (field.type !== 'address' || !value || !(value as { uprn?: string }).uprn) return value;
  const { line1, line2, town, postcode } = value as Record<string, unknown>;
  return { line1, line2, town, postcode };
}
