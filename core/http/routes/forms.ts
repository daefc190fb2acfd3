// Citizen form pages, rendered on the server from the service definition: start page, question pages (one question or
// a group per page), check your answers, confirmation. Progress lives in a Postgres session; the answers are checked
// by the same validator as the API and sent through the same submission code.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../errors.ts';
import { validateAnswers, isFieldShown, type Field, type ServiceVersion, type ReceivedFile } from '../../services/index.ts';
import { submit } from '../../processes/index.ts';
import { displayAnswer } from '../../documents/form-copy.ts';
import { componentFor, type Component, type ErrorsByField } from '../../forms/components.ts';
import { pageAnswers } from '../../forms/form-input.ts';
import { formPages, nextPage, previousPage, visibleFields, type FormPage } from '../../forms/pages.ts';
import { clearSession, loadSession, saveSession, type FormSession } from '../../forms/session.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import { answersFromFormFields } from '../form-fields.ts';
import { discardFiles, parseMultipart } from '../multipart.ts';
import { renderPage } from '../pages/index.ts';
import { textProblems } from '../route.ts';

const CHECK = 'check-answers';

function titleOf(pageId: string): string {
  const words = pageId.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function filesMap(session: FormSession): Map<string, ReceivedFile[]> {
  const map = new Map<string, ReceivedFile[]>();
  for (const f of session.files) map.set(f.fieldId, [...(map.get(f.fieldId) ?? []), { documentId: f.documentId, name: f.name, contentType: f.contentType, size: f.size }]);
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

  function renderQuestionPage(ctx: Context, sv: ServiceVersion, page: FormPage, values: Record<string, unknown>, errors: FieldError[], session: FormSession | null) {
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
      title: single ? fields[0]!.label : titleOf(page.id),
      serviceName: def.title,
      serviceUrl: base(def.id),
      pageHeading: single && !nested.size ? null : titleOf(page.id),
      components,
      action: `${base(def.id)}/${page.id}?_csrf=${encodeURIComponent(csrfToken(ctx))}${change ? '&change=1' : ''}`,
      backUrl: change ? `${base(def.id)}/${CHECK}` : prev ? `${base(def.id)}/${prev.id}` : base(def.id),
      errorSummary: errors.length
        ? errors.map((e) => ({ text: e.message, href: `#${anchorFor(def.fields.find((f) => f.id === e.field.split('.')[0]), e.field)}` }))
        : null,
    });
  }

  router.get('/services/:serviceId', async (ctx) => {
    const sv = service(ctx.params.serviceId!);
    const previous = await loadSession(hub.sequelize, ctx, sv.serviceId);
    if (previous?.result) await clearSession(hub.sequelize, ctx, sv.serviceId);
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
    if (ctx.params.pageId === 'confirmation') return showConfirmation(ctx, sv);
    const page = formPages(sv.definition).find((p) => p.id === ctx.params.pageId);
    if (!page) return next();
    const session = await loadSession(hub.sequelize, ctx, sv.serviceId);
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
    const fileFields = new Map(page.fields.filter((f) => f.type === 'file').map((f) => [f.id, f]));
    const limits = hub.config.server.limits;
    const { fields, files } = ctx.is('multipart/form-data')
      ? await parseMultipart(ctx.req, hub.store, (name) => {
          const f = fileFields.get(name);
          return f && f.type === 'file' ? { accept: f.accept, maxSize: f.maxSize } : null;
        }, { totalBytes: limits.multipartBytes, files: limits.files })
      : { fields: {}, files: [] };
    // Text no browser sends (a NUL character, a lone surrogate) is refused before it reaches the session row.
    const unusable = textProblems(fields);
    if (unusable.length) {
      await discardFiles(hub.store, files);
      throw new ValidationError(`The form cannot be saved: ${unusable.map((p) => `${p.field} ${p.message}`).join('; ')}`, unusable);
    }
    const session: FormSession = (await loadSession(hub.sequelize, ctx, sv.serviceId)) ?? { serviceId: sv.serviceId, serviceVersion: sv.version, answers: {}, files: [], result: null };
    if (session.serviceVersion !== sv.version) Object.assign(session, { serviceVersion: sv.version });
    const posted = pageAnswers(page.fields, answersFromFormFields(fields));
    const answers = { ...session.answers };
    for (const f of page.fields) if (f.type !== 'file') answers[f.id] = posted[f.id];
    for (const [k, v] of Object.entries(answers)) if (v === undefined) delete answers[k];
    const newFiles = files.map((f) => ({ documentId: f.documentId, fieldId: f.fieldId, name: f.name, contentType: f.contentType, size: f.size, sha256: f.blob.sha256, key: f.blob.key }));
    const replaced = new Set(newFiles.map((f) => f.fieldId));
    const nextSession: FormSession = { ...session, answers, files: [...session.files.filter((f) => !replaced.has(f.fieldId)), ...newFiles], result: null };

    const checked = validateAnswers(def, answers, filesMap(nextSession));
    const errors = errorsOnPage(checked.errors, visibleFields(page, answers).filter((f) => isFieldShown(f, answers)));
    if (errors.length) {
      await discardFiles(hub.store, files);
      ctx.status = 422;
      renderQuestionPage(ctx, sv, page, { ...answers, ...rawDates(page.fields, answersFromFormFields(fields)) }, errors, session);
      return;
    }
    await saveSession(hub.sequelize, ctx, nextSession);
    const following = ctx.query.change === '1' ? null : nextPage(pages, page.id, answers);
    ctx.redirect(following ? `${base(def.id)}/${following.id}` : `${base(def.id)}/${CHECK}`);
  });

  async function showCheckAnswers(ctx: Context, sv: ServiceVersion, errors: FieldError[] = []) {
    const def = sv.definition;
    const session = await loadSession(hub.sequelize, ctx, sv.serviceId);
    if (!session) return ctx.redirect(base(def.id));
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
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.status = errors.length ? 422 : 200;
    ctx.body = renderPage('check-answers.njk', {
      council: council(def.id),
      title: 'Check your answers',
      serviceName: def.title,
      serviceUrl: base(def.id),
      service: def,
      rows,
      csrf: csrfToken(ctx),
      action: `${base(def.id)}/${CHECK}`,
      backUrl: last ? `${base(def.id)}/${last.id}` : base(def.id),
      errorSummary: errors.length
        ? errors.map((e) => {
            const page = pages.find((p) => p.fields.some((f) => f.id === e.field.split('.')[0]));
            return { text: `${def.fields.find((f) => f.id === e.field.split('.')[0])?.label ?? e.field}: ${e.message}`, href: page ? `${base(def.id)}/${page.id}?change=1` : '#' };
          })
        : null,
    });
  }

  async function sendForm(ctx: Context, sv: ServiceVersion) {
    const body = await readForm(ctx);
    checkCsrf(ctx, body._csrf);
    const session = await loadSession(hub.sequelize, ctx, sv.serviceId);
    if (!session) return ctx.redirect(base(sv.serviceId));
    if (session.result) return ctx.redirect(`${base(sv.serviceId)}/confirmation`);
    const files = session.files.map((f) => ({ documentId: f.documentId, fieldId: f.fieldId, name: f.name, contentType: f.contentType, size: f.size, blob: { key: f.key, sha256: f.sha256, size: f.size, created: false } }));
    try {
      const result = await submit(
        { sequelize: hub.sequelize, store: hub.store, publicBaseUrl: hub.config.server.publicBaseUrl, channels: new Set(Object.keys(hub.config.channels)) },
        { service: sv, answers: session.answers, files },
      );
      await saveSession(hub.sequelize, ctx, { ...session, result: { reference: result.reference, trackingUrl: result.trackingUrl, processId: result.processId } });
      ctx.redirect(`${base(sv.serviceId)}/confirmation`);
    } catch (err) {
      if (err instanceof ValidationError) return showCheckAnswers(ctx, sv, err.errors);
      throw err;
    }
  }

  async function showConfirmation(ctx: Context, sv: ServiceVersion) {
    const session = await loadSession(hub.sequelize, ctx, sv.serviceId);
    if (!session?.result) throw new NotFoundError('There is no submission to confirm');
    const email = sv.definition.contact.email ? session.answers[sv.definition.contact.email] : undefined;
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = renderPage('confirmation.njk', { council: council(sv.serviceId), title: 'Form sent', serviceName: sv.definition.title, service: sv.definition, result: session.result, email });
  }
}

/** While re-showing a page with errors, date inputs keep exactly what was typed. */
function rawDates(fields: Field[], posted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.type !== 'date' && f.type !== 'datetime') continue;
    out[f.id] = { day: posted[`${f.id}-day`] ?? '', month: posted[`${f.id}-month`] ?? '', year: posted[`${f.id}-year`] ?? '', time: (posted[f.id] as { time?: string } | undefined)?.time ?? '' };
  }
  return out;
}

async function readForm(ctx: Context): Promise<Record<string, string>> {
  const { default: getRawBody } = await import('raw-body');
  const raw = await getRawBody(ctx.req, { limit: 64 * 1024, encoding: 'utf8' });
  return Object.fromEntries(new URLSearchParams(raw));
}
