// The address question's "find an address" steps (the GOV.UK pattern): postcode and optional building → "Select an
// address" → "Confirm address" → the answer, read back from the council's address provider by UPRN on the server.
// "Enter the address manually" (and "I cannot find the address in the list") is the question page's own fields. Each step
// is a form post answered with a page, so it all works without JavaScript; nothing but the chosen answer is kept.
// It serves an address question asked alone on its page; one sharing a page with other questions is typed in.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { AddressProviderUnavailable, type FoundAddress } from '@closeloop/sdk';
import type { Hub } from '../../hub.ts';
import type { FieldError } from '../../errors.ts';
import { addressFinder, normalisePostcode, type AddressFinder } from '../../address/index.ts';
import { addressAnswerOf, type AddressAnswer, type Field, type ServiceVersion } from '../../services/index.ts';
import { formPages, visibleFields, type FormPage } from '../../forms/pages.ts';
import type { FormSession } from '../../forms/session.ts';
import { renderPage } from '../pages/index.ts';
import { refuseLookup } from '../lookup-limit.ts';
import type { FormHost } from './form-host.ts';

type AddressField = Extract<Field, { type: 'address' }>;

/** At most this many addresses are offered as radios; more make a select (which accessible-autocomplete enhances). */
const RADIOS_UP_TO = 5;
export const FIND = 'find-address';
const SELECT = 'select-address';
const USE = 'use-address';

/** What the steps need of the form's flow (form-flow.ts). */
export interface FindAddressFlow {
  load(ctx: Context, serviceId: string): Promise<FormSession | null>;
  /** Keeps the page's answer and goes on as a question page's post does (next page, or check your answers). */
  keepAnswer(
    ctx: Context,
    sv: ServiceVersion,
    page: FormPage,
    field: AddressField,
    answer: AddressAnswer | undefined,
    session: FormSession | null,
  ): Promise<void>;
  isSentOrSending(session: FormSession | null): boolean;
}

/** The address question a page asks with the finder, or undefined (no question, or others share its page). */
export function lookupFieldOf(page: FormPage, answers: Record<string, unknown>): AddressField | undefined {
  const fields = visibleFields(page, answers);
  return fields.length === 1 && fields[0]!.type === 'address' ? fields[0] : undefined;
}

/** Should the page show the finder (not the typed fields)? Yes unless asked for manual entry or the answer was typed. */
export function showsFinder(ctx: Context, answer: unknown): boolean {
  if (ctx.query.manual === '1') return false;
  if (ctx.query.find === '1') return true;
  return !answer || !!(answer as AddressAnswer).uprn;
}

/** Where the steps live for one question page. */
function urls(host: FormHost, ctx: Context, sv: ServiceVersion, page: FormPage) {
  const change = ctx.query.change === '1';
  const pageUrl = `${host.base(sv.serviceId)}/${page.id}`;
  const suffix = change ? '&change=1' : '';
  return {
    find: `${pageUrl}?find=1${suffix}`,
    manual: `${pageUrl}?manual=1${suffix}`,
    action: (step: string) => host.pageAction(ctx, host.base(sv.serviceId), `${page.id}/${step}`, change),
  };
}

/** The finder's first page's content (also the designer's preview of the page): the question, postcode and building. */
export function findAddressView(
  field: AddressField,
  links: { action: string; manualUrl: string; backUrl: string },
  state: { postcode?: string; building?: string; error?: string; unavailable?: boolean; tooMany?: boolean } = {},
): Record<string, unknown> {
  return {
    title: field.label,
    hint: field.hint,
    ...links,
    postcode: state.postcode ?? '',
    building: state.building ?? '',
    unavailable: !!state.unavailable,
    tooMany: !!state.tooMany,
    errors: state.error ? { postcode: state.error } : {},
    errorSummary: state.error ? [{ text: state.error, href: '#postcode' }] : null,
  };
}

/** The finder's first page: postcode and building. */
export function renderFindAddress(
  ctx: Context,
  host: FormHost,
  sv: ServiceVersion,
  page: FormPage,
  field: AddressField,
  backUrl: string,
  state: { postcode?: string; building?: string; error?: string; unavailable?: boolean; tooMany?: boolean },
): void {
  const u = urls(host, ctx, sv, page);
  sendFinderPage(ctx, host, sv, 'find-address.njk', {
    ...findAddressView(field, { action: u.action(FIND), manualUrl: u.manual, backUrl }, state),
  });
}

export function mountFindAddress(router: Router, hub: Hub, host: FormHost, flow: FindAddressFlow, guard: Middleware[] = []): void {
  /** The step's service, page, question and session, or null when the route is not a finder's (then 404). */
  async function enter(ctx: Context) {
    const sv = await host.service(ctx, ctx.params.serviceId!);
    const page = formPages(sv.definition).find((p) => p.id === ctx.params.pageId);
    const session = await flow.load(ctx, sv.serviceId);
    const field = page && lookupFieldOf(page, session?.answers ?? {});
    if (!page || !field) return null;
    host.checkPageCsrf(ctx);
    return { sv, page, field, session };
  }
  const finderOf = (sv: ServiceVersion): Promise<AddressFinder> => addressFinder(hub, host.council(sv).id);
  const backToPage = (ctx: Context, sv: ServiceVersion, page: FormPage) =>
    `${host.base(sv.serviceId)}/${page.id}${ctx.query.change === '1' ? '?change=1' : ''}`;

  router.post(`${host.route}/:pageId/${FIND}`, ...guard, async (ctx, next) => {
    const step = await enter(ctx);
    if (!step) return next();
    const { sv, page, field, session } = step;
    if (flow.isSentOrSending(session)) return ctx.redirect(`${host.base(sv.serviceId)}/confirmation`);
    const form = await host.readForm(ctx);
    const typed = { postcode: (form.postcode ?? '').trim().slice(0, 20), building: (form.building ?? '').trim().slice(0, 100) };
    const again = (extra: { error?: string; unavailable?: boolean; tooMany?: boolean }) =>
      renderFindAddress(ctx, host, sv, page, field, backToPage(ctx, sv, page), { ...typed, ...extra });
    // An optional question left empty is left unanswered, as its typed fields would be.
    if (!typed.postcode && !typed.building && !field.required) return flow.keepAnswer(ctx, sv, page, field, undefined, session);
    if (!typed.postcode) return ((ctx.status = 422), again({ error: 'Enter a postcode' }));
    const postcode = normalisePostcode(typed.postcode);
    if (!postcode) return ((ctx.status = 422), again({ error: 'Enter a real postcode' }));
    // Over the search limit (429): the page says so and offers manual entry; the provider is not asked.
    if ((await refuseLookup(hub, ctx)) !== null) return again({ tooMany: true });
    const found = await unlessUnavailable(async () => (await finderOf(sv)).byPostcode(postcode, typed.building || undefined));
    if (found === UNAVAILABLE) return again({ unavailable: true });
    if (!found.length) {
      ctx.status = 422;
      return again({ error: `We could not find an address that matches ${postcode}. Check the postcode or enter the address manually.` });
    }
    renderSelect(ctx, sv, page, field, { postcode, building: typed.building }, found);
  });

  router.post(`${host.route}/:pageId/${SELECT}`, ...guard, async (ctx, next) => {
    const step = await enter(ctx);
    if (!step) return next();
    const { sv, page, field, session } = step;
    if (flow.isSentOrSending(session)) return ctx.redirect(`${host.base(sv.serviceId)}/confirmation`);
    const form = await host.readForm(ctx);
    const postcode = normalisePostcode(form.postcode ?? '');
    const building = (form.building ?? '').trim().slice(0, 100);
    if (!postcode) return ctx.redirect(urls(host, ctx, sv, page).find);
    const uprn = (form.uprn ?? '').trim();
    const finder = await unlessUnavailable(() => finderOf(sv));
    if (finder === UNAVAILABLE) return renderFindAddress(ctx, host, sv, page, field, backToPage(ctx, sv, page), { postcode, building, unavailable: true });
    // The choice must be one of the addresses at the postcode searched; the address itself is read again, never posted.
    const chosen = /^\d{1,12}$/.test(uprn) ? await unlessUnavailable(() => finder.byUprn(uprn)) : undefined;
    if (chosen === UNAVAILABLE) return renderFindAddress(ctx, host, sv, page, field, backToPage(ctx, sv, page), { postcode, building, unavailable: true });
    if (!chosen || chosen.postcode !== postcode) {
      const found = await unlessUnavailable(() => finder.byPostcode(postcode, building || undefined));
      if (found === UNAVAILABLE || !found.length)
        return renderFindAddress(ctx, host, sv, page, field, backToPage(ctx, sv, page), { postcode, building, unavailable: found === UNAVAILABLE });
      ctx.status = 422;
      return renderSelect(ctx, sv, page, field, { postcode, building }, found, 'Select an address');
    }
    const u = urls(host, ctx, sv, page);
    sendFinderPage(ctx, host, sv, 'confirm-address.njk', {
      title: 'Confirm address',
      question: field.label,
      lines: [...chosen.lines, chosen.town, chosen.postcode].filter(Boolean),
      uprn: chosen.uprn,
      action: u.action(USE),
      findUrl: u.find,
    });
  });

  router.post(`${host.route}/:pageId/${USE}`, ...guard, async (ctx, next) => {
    const step = await enter(ctx);
    if (!step) return next();
    const { sv, page, field, session } = step;
    if (flow.isSentOrSending(session)) return ctx.redirect(`${host.base(sv.serviceId)}/confirmation`);
    const form = await host.readForm(ctx);
    const uprn = (form.uprn ?? '').trim();
    const chosen = /^\d{1,12}$/.test(uprn) ? await unlessUnavailable(async () => (await finderOf(sv)).byUprn(uprn)) : undefined;
    if (chosen === UNAVAILABLE) return renderFindAddress(ctx, host, sv, page, field, backToPage(ctx, sv, page), { unavailable: true });
    if (!chosen) return ctx.redirect(urls(host, ctx, sv, page).find);
    await flow.keepAnswer(ctx, sv, page, field, addressAnswerOf(chosen), session);
  });

  function renderSelect(
    ctx: Context,
    sv: ServiceVersion,
    page: FormPage,
    field: AddressField,
    search: { postcode: string; building: string },
    found: FoundAddress[],
    error?: string,
  ): void {
    const u = urls(host, ctx, sv, page);
    const asRadios = found.length <= RADIOS_UP_TO;
    const options = found.map((a) => ({ value: a.uprn, text: a.label }));
    const count = `${found.length} ${found.length === 1 ? 'address' : 'addresses'} found`;
    const errors: FieldError[] = error ? [{ field: 'uprn', message: error }] : [];
    sendFinderPage(ctx, host, sv, 'select-address.njk', {
      title: 'Select an address',
      question: field.label,
      found: `${count} for ${search.postcode}${search.building ? ` and ‘${search.building}’` : ''}.`,
      postcode: search.postcode,
      building: search.building,
      asRadios,
      items: asRadios ? options : [{ value: '', text: count }, ...options],
      error,
      errorSummary: errors.length ? errors.map((e) => ({ text: e.message, href: '#uprn' })) : null,
      action: u.action(SELECT),
      findUrl: u.find,
      manualUrl: u.manual,
    });
  }
}

const UNAVAILABLE = Symbol('address provider unavailable');

/** The provider's answer, or UNAVAILABLE on an outage (the page then offers manual entry; never a 500). */
async function unlessUnavailable<T>(fn: () => Promise<T>): Promise<T | typeof UNAVAILABLE> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AddressProviderUnavailable) return UNAVAILABLE;
    throw err;
  }
}

/** One of the finder's pages in the service's look, never cached (it shows what the citizen typed). */
function sendFinderPage(ctx: Context, host: FormHost, sv: ServiceVersion, template: string, view: Record<string, unknown>): void {
  ctx.type = 'text/html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = renderPage(template, {
    council: host.council(sv),
    serviceName: sv.definition.title,
    serviceUrl: host.base(sv.serviceId),
    ...view,
    ...host.view(ctx, sv),
  });
}
