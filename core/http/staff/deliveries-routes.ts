// Deliveries: find them by back office, service, status and submission date; one delivery's attempts, the back office's
// answers and the XML sent; replay a dead one, or every dead one of a back office after a confirmation page.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { HttpError } from '../../errors.ts';
import { requireStaff, type StaffState, type StaffUser } from '../../staff/index.ts';
import {
  DELIVERY_STATUSES,
  bindingLabel,
  deadDeliveriesOf,
  deliveryChoices,
  deliveryScope,
  findStaffDeliveries,
  readStaffDelivery,
  replayDeadOf,
  replayStaffDelivery,
  staffMayReplay,
  type DeliveryFilter,
  type DeliveryStatus,
} from '../../staff/deliveries.ts';
import { errorSummary, sendStaffPage } from './page-context.ts';
import { formBody } from './form-body.ts';
import { countText } from './count-text.ts';

export const STATUS_LABELS: Record<DeliveryStatus, { text: string; colour: string }> = {
  pending: { text: 'Waiting', colour: 'grey' },
  queued: { text: 'Queued', colour: 'blue' },
  delivering: { text: 'Sending', colour: 'light-blue' },
  delivered: { text: 'Delivered', colour: 'green' },
  dead: { text: 'Dead', colour: 'red' },
};

const OUTCOME_LABELS: Record<string, { text: string; colour: string }> = {
  delivered: { text: 'Delivered', colour: 'green' },
  retry: { text: 'Failed, tried again', colour: 'yellow' },
  dead: { text: 'Failed, gave up', colour: 'red' },
};

export function mountDeliveries(router: Router, hub: Hub): void {
  router.get('/deliveries', requireStaff(), async (ctx) => {
    const staff = staffOf(ctx);
    const choices = deliveryChoices(hub, staff);
    const { filter, values, errors } = readFilter(ctx.query, choices);
    const found = await findStaffDeliveries(hub, staff, filter);
    const replayed = Number(ctx.query.replayed);
    sendStaffPage(ctx, hub, 'deliveries.njk', {
      title: 'Deliveries',
      section: 'deliveries',
      values,
      errors,
      errorSummary: errorSummary(errors),
      choices,
      bindingItems: selectItems(
        'Any back office',
        choices.bindings.map((b) => [b.name, b.label]),
        values.binding,
      ),
      serviceItems: selectItems(
        'Any service',
        choices.services.map((s) => [s.id, s.title]),
        values.service,
      ),
      statusItems: selectItems(
        'Any status',
        DELIVERY_STATUSES.map((s) => [s, STATUS_LABELS[s].text]),
        values.status,
      ),
      statusLabels: STATUS_LABELS,
      serviceTitles: Object.fromEntries(choices.services.map((s) => [s.id, s.title])),
      bindingLabels: Object.fromEntries(choices.bindings.map((b) => [b.name, b.label])),
      found,
      selected: selectedFilters(values, choices),
      pagination: pagination(found.page, found.pages, values, found.hasNext),
      countText: countText(found.count, found.countLimit, 'delivery', 'deliveries'),
      replayAll: staffMayReplay(staff) && filter.binding ? { binding: filter.binding, label: bindingLabel(hub, filter.binding) } : null,
      notice:
        Number.isInteger(replayed) && replayed >= 0 && typeof ctx.query.binding === 'string' && ctx.query.replayed !== undefined
          ? `${plural(replayed, 'dead delivery', 'dead deliveries')} to ${bindingLabel(hub, ctx.query.binding)} will be sent again`
          : null,
    });
  });

  router.get('/deliveries/replay-dead', requireStaff(), async (ctx) => {
    const staff = replayer(ctx, hub);
    const binding = typeof ctx.query.binding === 'string' ? ctx.query.binding : '';
    const count = await deadDeliveriesOf(hub, staff, binding);
    const label = bindingLabel(hub, binding);
    sendStaffPage(ctx, hub, 'deliveries-replay-dead.njk', {
      title: count ? `Replay ${plural(count, 'dead delivery', 'dead deliveries')} to ${label}?` : `No dead deliveries to ${label}`,
      section: 'deliveries',
      binding,
      label,
      count,
      countText: plural(count, 'dead delivery', 'dead deliveries'),
    });
  });

  router.post('/deliveries/replay-dead', requireStaff(), async (ctx) => {
    const binding = formBody(ctx).binding ?? '';
    const n = await replayDeadOf(hub, replayer(ctx, hub), binding);
    ctx.redirect(`/staff/deliveries?${new URLSearchParams({ binding, replayed: String(n) })}`);
  });

  router.get('/deliveries/:id', requireStaff(), async (ctx) => {
    const staff = staffOf(ctx);
    const detail = await readStaffDelivery(hub, staff, ctx.params.id!);
    const d = detail.delivery;
    sendStaffPage(ctx, hub, 'delivery.njk', {
      title: `Delivery of ${d.reference} to ${detail.bindingLabel}`,
      section: 'deliveries',
      detail,
      service: hub.catalogue.has(d.serviceId) ? hub.catalogue.get(d.serviceId).definition.title : d.serviceId,
      status: STATUS_LABELS[d.status as DeliveryStatus] ?? { text: d.status, colour: 'grey' },
      attempts: detail.attempts.map((a) => ({
        ...a,
        duration: durationMs(a.durationMs),
        outcomeTag: OUTCOME_LABELS[a.outcome] ?? { text: a.outcome, colour: 'grey' },
      })),
      mayReplay: staffMayReplay(staff) && d.status === 'dead',
      notice:
        ctx.query.replayed === '1' ? 'The delivery will be sent again' : ctx.query.replayed === '0' ? 'The delivery was not dead: nothing was replayed' : null,
    });
  });

  router.post('/deliveries/:id/replay', requireStaff(), async (ctx) => {
    const id = ctx.params.id!;
    const replayed = await replayStaffDelivery(hub, replayer(ctx, hub), id);
    ctx.redirect(`/staff/deliveries/${encodeURIComponent(id)}?replayed=${replayed ? 1 : 0}`);
  });
}

function staffOf(ctx: Koa.Context): StaffUser {
  return (ctx.state as StaffState).staff!;
}

/** The person, if they may replay: caseworkers find no deliveries at all (404), auditors only read (403). */
function replayer(ctx: Koa.Context, hub: Hub): StaffUser {
  const staff = staffOf(ctx);
  deliveryScope(hub, staff);
  if (!staffMayReplay(staff)) throw new HttpError(403, 'Forbidden', 'You can read deliveries but not replay them.');
  return staff;
}

export interface FilterValues {
  binding: string;
  service: string;
  status: string;
  from: string;
  to: string;
}

/** The filter from the query string: unknown choices are ignored, dates that are not real dates are errors. */
function readFilter(
  query: Koa.Context['query'],
  choices: ReturnType<typeof deliveryChoices>,
): { filter: DeliveryFilter; values: FilterValues; errors: Record<string, string | undefined> } {
  const text = (name: string) => {
    const v = query[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
  };
  const values: FilterValues = { binding: text('binding'), service: text('service'), status: text('status'), from: text('from'), to: text('to') };
  const from = parseUkDate(values.from);
  const to = parseUkDate(values.to);
  const errors: Record<string, string | undefined> = {
    from: from === undefined ? 'Submitted from must be a real date, for example 1/10/2026' : undefined,
    to: to === undefined ? 'Submitted to must be a real date, for example 1/10/2026' : undefined,
  };
  if (from && to && from > to) errors.to = 'Submitted to must be the same as or after submitted from';
  const page = Number(text('page'));
  return {
    filter: {
      binding: choices.bindings.some((b) => b.name === values.binding) ? values.binding : null,
      serviceId: choices.services.some((s) => s.id === values.service) ? values.service : null,
      status: (DELIVERY_STATUSES as readonly string[]).includes(values.status) ? (values.status as DeliveryStatus) : null,
      submittedFrom: errors.from ? null : (from ?? null),
      submittedTo: errors.to ? null : (to ?? null),
      page: Number.isInteger(page) && page > 0 ? page : 1,
    },
    values,
    errors,
  };
}

/**
 * "1/10/2026", "1-10-2026", "1 10 2026", "1 October 2026" or "2026-10-01" → "2026-10-01"; empty → null; anything else
 * (or a date that does not exist) → undefined.
 */
export function parseUkDate(text: string): string | null | undefined {
  if (!text) return null;
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const dmy = /^(\d{1,2})[\s/.-]+(\d{1,2}|[a-z]+)[\s/.-]+(\d{4})$/i.exec(text);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dmy) {
    const month = /^\d+$/.test(dmy[2]!) ? Number(dmy[2]) : monthNumber(dmy[2]!);
    [y, m, d] = [Number(dmy[3]), month, Number(dmy[1])];
  } else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function monthNumber(name: string): number {
  const n = name.toLowerCase();
  const i = MONTHS.findIndex((m) => m === n || (n.length >= 3 && m.startsWith(n)));
  return i + 1;
}

/** The filter's query string with some values changed (the page dropped unless given). */
function filterQuery(values: FilterValues, change: Partial<FilterValues & { page: string }>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...values, ...change })) if (v) q.set(k, v);
  const s = q.toString();
  return `/staff/deliveries${s ? `?${s}` : ''}`;
}

/** MOJ filter's "Selected filters": each a link that removes it. */
function selectedFilters(values: FilterValues, choices: ReturnType<typeof deliveryChoices>) {
  const categories: { heading: { text: string }; items: { href: string; text: string }[] }[] = [];
  const add = (heading: string, key: keyof FilterValues, text: string | undefined) => {
    if (values[key] && text) categories.push({ heading: { text: heading }, items: [{ href: filterQuery(values, { [key]: '' }), text }] });
  };
  add('Back office', 'binding', choices.bindings.find((b) => b.name === values.binding)?.label);
  add('Service', 'service', choices.services.find((s) => s.id === values.service)?.title);
  add('Status', 'status', STATUS_LABELS[values.status as DeliveryStatus]?.text);
  const from = parseUkDate(values.from);
  const to = parseUkDate(values.to);
  add('Submitted from', 'from', from ? ukDay(from) : undefined);
  add('Submitted to', 'to', to ? ukDay(to) : undefined);
  return categories.length ? { heading: { text: 'Selected filters' }, clearLink: { text: 'Clear filters', href: '/staff/deliveries' }, categories } : null;
}

function ukDay(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m! - 1]!.replace(/^./, (c) => c.toUpperCase())} ${y}`;
}

/**
 * GOV.UK pagination: previous, next, the first, last and nearby pages, with ellipses between. When the last page is not
 * known (`pages` null: more deliveries match than were counted), the pages end at the next one, then an ellipsis.
 */
export function pagination(page: number, pages: number | null, values: FilterValues, hasNext = pages !== null && page < pages) {
  if (pages !== null && pages <= 1) return null;
  if (pages === null && page === 1 && !hasNext) return null;
  const last = pages ?? (hasNext ? page + 1 : page);
  const items: ({ number: string; href: string; current: boolean } | { ellipsis: true })[] = [];
  for (let n = 1; n <= last; n++) {
    if (n === 1 || (n === last && pages !== null) || Math.abs(n - page) <= 1)
      items.push({ number: String(n), href: filterQuery(values, { page: String(n) }), current: n === page });
    else if (!('ellipsis' in (items.at(-1) ?? {}))) items.push({ ellipsis: true });
  }
  if (pages === null && hasNext) items.push({ ellipsis: true });
  return {
    items,
    previous: page > 1 ? { href: filterQuery(values, { page: String(page - 1) }) } : undefined,
    next: hasNext ? { href: filterQuery(values, { page: String(page + 1) }) } : undefined,
  };
}

function selectItems(any: string, options: [string, string][], selected: string) {
  return [{ value: '', text: any }, ...options.map(([value, text]) => ({ value, text, selected: value === selected }))];
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "240 milliseconds", "1.5 seconds", "2 minutes 5 seconds". */
export function durationMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} milliseconds`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} seconds`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} minute${s >= 120 ? 's' : ''} ${s % 60} second${s % 60 === 1 ? '' : 's'}`;
}
