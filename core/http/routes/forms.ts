// Citizen form pages, rendered on the server from the service definition: start page, question pages (one question or
// a group per page), check your answers, confirmation. Progress lives in a Postgres session; the answers are checked
// by the same validator as the API and sent through the same submission code.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { ValidationError, type FieldError } from '../../errors.ts';
import {
  validateAnswers,
  isFieldShown,
  errorMessages,
  pageTitle,
  serviceNoun,
  type Field,
  type FileField,
  type ServiceVersion,
  type ReceivedFile,
} from '../../services/index.ts';
import { submit } from '../../processes/index.ts';
import { displayAnswer } from '../../documents/form-copy.ts';
import { componentFor, type Component, type ErrorsByField } from '../../forms/components.ts';
import { pageAnswers } from '../../forms/form-input.ts';
import { formPages, nextPage, previousPage, visibleFields, type FormPage } from '../../forms/pages.ts';
import { claimForSending, clearSession, loadSession, markSent, releaseClaim, saveAnswers, type FormSession } from '../../forms/session.ts';
import { confirmationNotice } from '../../forms/confirmation.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import { answersFromFormFields } from '../form-fields.ts';
import { BodyTooLargeError, discardFiles, parseMultipart, type MultipartResult } from '../multipart.ts';
import { renderErrorPage, renderPage } from '../pages/index.ts';
import { textProblems } from '../route.ts';

const CHECK = 'check-answers';
const CONFIRMATION = 'confirmation';

/** A sent form is only ever shown as its confirmation (answers gone; a second send impossible). */
function isSentOrSending(session: FormSession | null): boolean {
  return !!session && (!!session.result || session.sending);
}

/**
 * Error summary entries, one per problem. Messages name their question, so they differ; should two still read the same
 * (two address questions on one page), the later ones also quote their question.
 */
function summaryOf(errors: FieldError[], fields: Field[], href: (e: FieldError) => string): { text: string; href: string }[] {
  const seen = new Set<string>();
  return errors.map((e) => {
    const label = fields.find((f) => f.id === e.field.split('.')[0])?.label;
    const text = seen.has(e.message) && label ? `${e.message} (${label.replace(/\s*\(optional\)\s*$/i, '')})` : e.message;
    seen.add(e.message);
    return { text, href: href(e) };
  });
}

/** GOV.UK's file upload errors for files the page refused, one per question. */
function uploadErrors(parsed: Pick<MultipartResult, 'refused' | 'tooManyFiles'>, fileFields: Map<string, FileField>): FieldError[] {
  const errors = new Map<string, string>();
  for (const r of parsed.refused) {
    const f = fileFields.get(r.fieldId);
    if (f && !errors.has(f.id)) errors.set(f.id, r.reason === 'type' ? errorMessages.fileType(f) : errorMessages.fileSize(f));
  }
  const first = [...fileFields.values()][0];
  if (parsed.tooManyFiles && first && !errors.has(first.id))
    errors.set(first.id, first.multiple ? errorMessages.tooManyFiles(first.maxFiles) : errorMessages.oneFile());
  return [...errors].map(([field, message]) => ({ field, message }));
}

function filesMap(session: FormSession): Map<string, ReceivedFile[]> {
  const map = new Map<string, ReceivedFile[]>();
  for (const f of session.files)
    map.set(f.fieldId, [...(map.get(f.fieldId) ?? []), { documentId: f.documentId, name: f.name, contentType: f.contentType, size: f.size }]);
  return map;
}

/** Field ids an error belongs to: "noiseSource.postcode" belongs to noiseSource. */
function errorsOnPage(errors: FieldError[], fields: Field[]): FieldError[] {
  const ids = new Set(fields.map((f) => f.id));
  return errors.filter((e) => ids.has(e.field.split('.')[0]!));
}

/** Anchor of the input an error summary link should focus. */
function anchorFor(field: Field | undefined, errorField: string): string {
  if (!field) return errorField;
  if (errorField.includes('.')) return errorField;
  if (field.type === 'radios' || field.type === 'checkboxes') return field.id;
  if (field.type === 'date') return `${field.id}-day`;
  if (field.type === 'datetime') return `${field.id}-day`;
  if (field.type === 'address') return `${field.id}.line1`;
  return field.id;
}

export function mountForms(router: Router, hub: Hub): void {
  const council = (serviceId: string) => hub.councils.ofService(hub.catalogue, serviceId);
  const service = (id: string): ServiceVersion => hub.catalogue.get(id);
  const base = (id: string) => `/services/${id}`;

  function renderQuestionPage(
    ctx: Context,
    sv: ServiceVersion,
    page: FormPage,
    values: Record<string, unknown>,
    errors: FieldError[],
    session: FormSession | null,
  ) {
    const def = sv.definition;
    const pages = formPages(def);
    const fields = visibleFields(page, values);
    const byField: ErrorsByField = new Map(errors.map((e) => [e.field, e.message]));
    const single = fields.length === 1;
    // Questions that depend on an option of another question on this page are revealed under that option.
    const dependents = new Map<string, Map<string, Field[]>>();
    for (const f of fields) {
      const cond = f.showIf;
      const controller = cond && fields.find((c) => c.id === cond.field && (c.type === 'radios' || c.type === 'checkboxes'));
      if (!cond || !controller) continue;
      const m = dependents.get(controller.id) ?? new Map<string, Field[]>();
      for (const value of cond.equals !== undefined ? [cond.equals] : (cond.in ?? [])) m.set(value, [...(m.get(value) ?? []), f]);
      dependents.set(controller.id, m);
    }
    const nested = new Set([...dependents.values()].flatMap((m) => [...m.values()].flat().map((f) => f.id)));
    const uploadedFor = (id: string) => (session?.files ?? []).filter((x) => x.fieldId === id).map((x) => x.name);
    const build = (f: Field, asHeading: boolean): Component => {
      const conditionalHtml = new Map<string, string>();
      for (const [value, deps] of dependents.get(f.id) ?? []) {
        conditionalHtml.set(value, deps.map((d) => renderPage('component.njk', { c: build(d, false) })).join(''));
      }
      return componentFor(f, values[f.id], byField, { asPageHeading: asHeading, conditionalHtml, uploaded: uploadedFor(f.id) });
    };
    const components = fields.filter((f) => !nested.has(f.id)).map((f) => build(f, single && !nested.size));
    const prev = previousPage(pages, page.id, values);
    const change = ctx.query.change === '1';
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderPage('form-page.njk', {
      council: council(def.id),
      title: single ? fields[0]!.label : pageTitle(def, page.id),
      serviceName: def.title,
      serviceUrl: base(def.id),
      pageHeading: single && !nested.size ? null : pageTitle(def, page.id),
      components,
      action: `${base(def.id)}/${page.id}?_csrf=${encodeURIComponent(csrfToken(ctx))}${change ? '&change=1' : ''}`,
      backUrl: change ? `${base(def.id)}/${CHECK}` : prev ? `${base(def.id)}/${prev.id}` : base(def.id),
      errorSummary: errors.length
        ? summaryOf(
            errors,
            def.fields,
            (e) =>
              `#${anchorFor(
                def.fields.find((f) => f.id === e.field.split('.')[0]),
                e.field,
              )}`,
          )
        : null,
    });
  }

  router.get('/services/:serviceId', async (ctx) => {
    const sv = service(ctx.params.serviceId!);
    const previous = await loadSession(hub.db, ctx, sv.serviceId);
    // A sent form is done with: starting again starts a fresh form.
    if (previous?.result) await clearSession(hub.db, ctx, sv.serviceId);
    const first = formPages(sv.definition)[0]!;
    ctx.type = 'text/html';
    ctx.body = renderPage('form-start.njk', {
      council: council(sv.serviceId),
      title: sv.definition.title,
      serviceName: sv.definition.title,
      service: sv.definition,
      minutes: Math.max(5, Math.round(sv.definition.fields.length * 0.7)),
      startUrl: `${base(sv.serviceId)}/${first.id}`,
    });
  });

  router.get('/services/:serviceId/:pageId', async (ctx, next) => {
    const sv = service(ctx.params.serviceId!);
    if (ctx.params.pageId === CHECK) return showCheckAnswers(ctx, sv);
    if (ctx.params.pageId === CONFIRMATION) return showConfirmation(ctx, sv);
    const page = formPages(sv.definition).find((p) => p.id === ctx.params.pageId);
    if (!page) return next();
    const session = await loadSession(hub.db, ctx, sv.serviceId);
    if (isSentOrSending(session)) return ctx.redirect(`${base(sv.serviceId)}/${CONFIRMATION}`);
    renderQuestionPage(ctx, sv, page, session?.answers ?? {}, [], session);
  });

  router.post('/services/:serviceId/:pageId', async (ctx, next) => {
    const sv = service(ctx.params.serviceId!);
    if (ctx.params.pageId === CHECK) return sendForm(ctx, sv);
    const def = sv.definition;
    const pages = formPages(def);
    const page = pages.find((p) => p.id === ctx.params.pageId);
    if (!page) return next();
    // The token is in the URL so it is checked before any uploaded byte is stored.
    checkCsrf(ctx, ctx.query._csrf);
    const confirmation = `${base(def.id)}/${CONFIRMATION}`;
    const current = await loadSession(hub.db, ctx, sv.serviceId);
    // A sent form is not changed (nor sent again): its pages show the confirmation. Nothing of this body is stored.
    if (isSentOrSending(current)) {
      ctx.req.resume();
      return ctx.redirect(confirmation);
    }
    const fileFields = new Map(page.fields.filter((f): f is FileField => f.type === 'file').map((f) => [f.id, f]));
    const limits = hub.config.server.limits;
    let parsed: MultipartResult;
    try {
      parsed = ctx.is('multipart/form-data')
        ? await parseMultipart(
            ctx.req,
            hub.store,
            (name) => {
              const f = fileFields.get(name);
              return f ? { accept: f.accept, maxSize: f.maxSize } : null;
            },
            { totalBytes: limits.multipartBytes, files: limits.files },
            { refusedFiles: 'report' },
          )
        : { fields: {}, files: [], refused: [], tooManyFiles: false };
    } catch (err) {
      // A body over the hub's limit is not read at all: on a page with a file question, that file was too large.
      const fileField = [...fileFields.values()][0];
      if (!(err instanceof BodyTooLargeError) || !fileField) throw err;
      ctx.status = 422;
      renderQuestionPage(ctx, sv, page, current?.answers ?? {}, [{ field: fileField.id, message: errorMessages.fileSize(fileField) }], current);
      return;
    }
    const { fields, files } = parsed;
    // Text no browser sends (a NUL character, a lone surrogate) is refused before it reaches the session row.
    const unusable = textProblems(fields);
    if (unusable.length) {
      await discardFiles(hub.store, files);
      throw new ValidationError(`The form cannot be saved: ${unusable.map((p) => `${p.field} ${p.message}`).join('; ')}`, unusable);
    }
    const session: FormSession = current ?? { serviceId: sv.serviceId, serviceVersion: sv.version, answers: {}, files: [], result: null, sending: false };
    if (session.serviceVersion !== sv.version) Object.assign(session, { serviceVersion: sv.version });
    const posted = pageAnswers(page.fields, answersFromFormFields(fields));
    const answers = { ...session.answers };
    for (const f of page.fields) if (f.type !== 'file') answers[f.id] = posted[f.id];
    for (const [k, v] of Object.entries(answers)) if (v === undefined) delete answers[k];
    const newFiles = files.map((f) => ({
      documentId: f.documentId,
      fieldId: f.fieldId,
      name: f.name,
      contentType: f.contentType,
      size: f.size,
      sha256: f.blob.sha256,
      key: f.blob.key,
    }));
    const replaced = new Set(newFiles.map((f) => f.fieldId));
    const nextSession: FormSession = { ...session, answers, files: [...session.files.filter((f) => !replaced.has(f.fieldId)), ...newFiles] };

    const refused = uploadErrors(parsed, fileFields);
    const checked = validateAnswers(def, answers, filesMap(nextSession));
    const invalid = errorsOnPage(
      checked.errors,
      visibleFields(page, answers).filter((f) => isFieldShown(f, answers)),
    );
    // A refused file is the problem with its question; the answers' other problems are shown with it, in page order.
    const order = (e: FieldError) => page.fields.findIndex((f) => f.id === e.field.split('.')[0]);
    const errors = [...refused, ...invalid.filter((e) => !refused.some((r) => r.field === e.field))].sort((a, b) => order(a) - order(b));
    if (errors.length) {
      await discardFiles(hub.store, files);
      ctx.status = 422;
      renderQuestionPage(ctx, sv, page, { ...answers, ...rawDates(page.fields, answersFromFormFields(fields)) }, errors, session);
      return;
    }
    if (!(await saveAnswers(hub.db, ctx, nextSession))) {
      // Sent from another tab meanwhile.
      await discardFiles(hub.store, files);
      return ctx.redirect(confirmation);
    }
    const following = ctx.query.change === '1' ? null : nextPage(pages, page.id, answers);
    ctx.redirect(following ? `${base(def.id)}/${following.id}` : `${base(def.id)}/${CHECK}`);
  });

  async function showCheckAnswers(ctx: Context, sv: ServiceVersion, errors: FieldError[] = []) {
    const def = sv.definition;
    const session = await loadSession(hub.db, ctx, sv.serviceId);
    if (!session) return ctx.redirect(base(def.id));
    // After sending, the answers are gone and there is nothing to send again.
    if (isSentOrSending(session)) return ctx.redirect(`${base(def.id)}/${CONFIRMATION}`);
    const pages = formPages(def);
    const checked = validateAnswers(def, session.answers, filesMap(session));
    const rows = def.fields
      .filter((f) => isFieldShown(f, checked.answers))
      .map((f) => {
        const page = pages.find((p) => p.fields.includes(f))!;
        return {
          key: { text: f.label },
          value: { html: displayAnswer(f, checked.answers[f.id]) },
          actions: { items: [{ href: `${base(def.id)}/${page.id}?change=1`, text: 'Change', visuallyHiddenText: f.label.toLowerCase() }] },
        };
      });
    const last = [...pages].reverse().find((p) => visibleFields(p, session.answers).length);
    const pageOf = (e: FieldError) => pages.find((p) => p.fields.some((f) => f.id === e.field.split('.')[0]));
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.status = errors.length ? 422 : 200;
    ctx.body = renderPage('check-answers.njk', {
      council: council(def.id),
      title: 'Check your answers',
      serviceName: def.title,
      serviceUrl: base(def.id),
      service: def,
      noun: serviceNoun(def),
      rows,
      csrf: csrfToken(ctx),
      action: `${base(def.id)}/${CHECK}`,
      backUrl: last ? `${base(def.id)}/${last.id}` : base(def.id),
      errorSummary: errors.length ? summaryOf(errors, def.fields, (e) => (pageOf(e) ? `${base(def.id)}/${pageOf(e)!.id}?change=1` : '#')) : null,
    });
  }

  async function sendForm(ctx: Context, sv: ServiceVersion) {
    const body = await readForm(ctx);
    checkCsrf(ctx, body._csrf);
    const confirmation = `${base(sv.serviceId)}/${CONFIRMATION}`;
    // Only one request can claim the answers: a second click, a second tab or a form re-posted later finds them gone.
    const session = await claimForSending(hub.db, ctx, sv.serviceId);
    if (!session) return ctx.redirect(isSentOrSending(await loadSession(hub.db, ctx, sv.serviceId)) ? confirmation : base(sv.serviceId));
    const files = session.files.map((f) => ({
      documentId: f.documentId,
      fieldId: f.fieldId,
      name: f.name,
      contentType: f.contentType,
      size: f.size,
      blob: { key: f.key, sha256: f.sha256, size: f.size, created: false },
    }));
    let result: Awaited<ReturnType<typeof submit>>;
    try {
      result = await submit(
        { db: hub.db, store: hub.store, publicBaseUrl: hub.config.server.publicBaseUrl, channels: new Set(Object.keys(hub.config.channels)) },
        { service: sv, answers: session.answers, files },
      );
    } catch (err) {
      await releaseClaim(hub.db, ctx, sv.serviceId);
      if (err instanceof ValidationError) return showCheckAnswers(ctx, sv, err.errors);
      throw err;
    }
    await markSent(hub.db, ctx, sv.serviceId, { reference: result.reference, trackingUrl: result.trackingUrl, processId: result.processId });
    ctx.redirect(confirmation);
  }

  async function showConfirmation(ctx: Context, sv: ServiceVersion) {
    let session = await loadSession(hub.db, ctx, sv.serviceId);
    // A second click while the first is still sending: wait for the first to finish (well under a second as a rule).
    for (let waited = 0; session?.sending && waited < 10_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      session = await loadSession(hub.db, ctx, sv.serviceId);
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html';
    if (session?.sending) {
      ctx.status = 503;
      ctx.set('Retry-After', '10');
      ctx.body = renderErrorPage(council(sv.serviceId), 'Your form is still being sent', 'Wait a minute, then refresh this page to see your reference.');
      return;
    }
    if (!session?.result) return ctx.redirect(session ? `${base(sv.serviceId)}/${CHECK}` : base(sv.serviceId));
    const noun = serviceNoun(sv.definition);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = renderPage('confirmation.njk', {
      council: council(sv.serviceId),
      title: `We have received your ${noun}`,
      serviceName: sv.definition.title,
      serviceUrl: base(sv.serviceId),
      service: sv.definition,
      noun,
      result: session.result,
      notice: await confirmationNotice(hub.db, session.result.processId),
    });
  }
}

/** While re-showing a page with errors, date inputs keep exactly what was typed. */
function rawDates(fields: Field[], posted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.type !== 'date' && f.type !== 'datetime') continue;
    out[f.id] = {
      day: posted[`${f.id}-day`] ?? '',
      month: posted[`${f.id}-month`] ?? '',
      year: posted[`${f.id}-year`] ?? '',
      time: (posted[f.id] as { time?: string } | undefined)?.time ?? '',
    };
  }
  return out;
}

async function readForm(ctx: Context): Promise<Record<string, string>> {
  const { default: getRawBody } = await import('raw-body');
  const raw = await getRawBody(ctx.req, { limit: 64 * 1024, encoding: 'utf8' });
  return Object.fromEntries(new URLSearchParams(raw));
}
