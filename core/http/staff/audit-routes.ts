// The audit log: who did what to which case, when. Filtered by actor, action, case reference and dates (a GET form),
// newest first, paged by queryAudit's keyset cursor. Council admins and auditors of a council see its entries only, as a
// council admin key does through GET /api/v1/admin/audit. Caseworkers: 404.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { HttpError } from '../../errors.ts';
import { queryAudit, type AuditEntry } from '../../governance/index.ts';
import { processIdByReference } from '../../governance/erase.ts';
import { listStaffUsers, staffDisplayName, type StaffUser } from '../../staff/index.ts';
import { staffOf, staffWithRole } from './admin-access.ts';
import { errorSummary, sendStaffPage } from './page-context.ts';

const PAGE_SIZE = 50;
/** Previous pages' cursors travel in the address (base64url has no '.'), so "Previous" needs no state. */
const TRAIL_MAX = 40;

/** What each action reads as; an action not listed reads as itself. */
const ACTION_TEXT: Record<string, string> = {
  'api-key.created': 'Created an API key',
  'api-key.revoked': 'Revoked an API key',
  'process.erased': 'Erased the personal data of a case',
  'note.added': 'Added a note',
  'task.updated': 'Updated a task',
  'task.target-set': 'Set or moved a task’s target date',
  'process.closed': 'Closed a case',
  'document.downloaded': 'Downloaded a document',
  'delivery.replayed': 'Replayed a delivery',
  'service.published': 'Published a service',
  'staff.signed-in': 'Signed in to the staff console',
  'staff.enrolled': 'Set up a staff account',
  'staff.signed-out-everywhere': 'Signed out everywhere',
};

type DatePart = 'day' | 'month' | 'year';

interface DateField {
  day: string;
  month: string;
  year: string;
}

/** A date typed in the GOV.UK date input, as midnight UK time that day (the day after, for "to"); null when empty. */
function dateOf(field: DateField, label: string, endOfDay: boolean): { date: Date | null; error?: string } {
  const parts: DatePart[] = ['day', 'month', 'year'];
  const missing = parts.filter((p) => !field[p]);
  if (missing.length === 3) return { date: null };
  if (missing.length) return { date: null, error: `${label} must include a ${missing.join(' and a ')}` };
  if (!/^\d{1,2}$/.test(field.day) || !/^\d{1,2}$/.test(field.month) || !/^\d{4}$/.test(field.year))
    return { date: null, error: `${label} must be a real date` };
  const y = Number(field.year);
  const m = Number(field.month);
  const d = Number(field.day);
  const utc = new Date(Date.UTC(y, m - 1, d));
  if (utc.getUTCFullYear() !== y || utc.getUTCMonth() !== m - 1 || utc.getUTCDate() !== d) return { date: null, error: `${label} must be a real date` };
  if (endOfDay) utc.setUTCDate(utc.getUTCDate() + 1);
  return { date: ukMidnight(utc) };
}

/** Midnight in the UK (Europe/London) on the UTC calendar day of `day`. */
function ukMidnight(day: Date): Date {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', hourCycle: 'h23' }).format(day));
  // At 00:00 UTC it is 00:00 (GMT) or 01:00 (BST) in London: midnight in London is that many hours earlier.
  return new Date(day.getTime() - hour * 3_600_000);
}

function text(q: Koa.Context['query'], name: string): string {
  const v = q[name];
  return (typeof v === 'string' ? v : '').trim();
}

/** Who, in words: the person's name for staff, "API key <name>" for keys, "system" for the hub itself. */
export function describeActor(actor: string, staffNames: Map<string, string>): string {
  const colon = actor.indexOf(':');
  const kind = colon < 0 ? actor : actor.slice(0, colon);
  const who = colon < 0 ? '' : actor.slice(colon + 1);
  switch (kind) {
    case 'staff': {
      const name = staffNames.get(who);
      return `${name ?? who} (staff)`;
    }
    case 'api-client':
      return `API key ${who}`;
    case 'connector':
      return `Back office ${who}`;
    case 'cli':
      return `${who} (command line)`;
    case 'citizen':
      return 'The citizen';
    default:
      return colon < 0 ? 'system' : `${who} (${kind})`;
  }
}

export function mountAudit(router: Router, hub: Hub): void {
  router.get('/audit', ...staffWithRole('operator', 'council-admin', 'auditor'), async (ctx) => {
    const staff = staffOf(ctx);
    const q = ctx.query;
    const filter = {
      actor: text(q, 'actor'),
      action: text(q, 'action'),
      reference: text(q, 'case'),
      from: { day: text(q, 'from-day'), month: text(q, 'from-month'), year: text(q, 'from-year') },
      to: { day: text(q, 'to-day'), month: text(q, 'to-month'), year: text(q, 'to-year') },
    };
    const from = dateOf(filter.from, 'The date from', false);
    const to = dateOf(filter.to, 'The date to', true);
    const errors: Record<string, string | undefined> = {
      'from-day': from.error,
      'to-day': to.error ?? (from.date && to.date && to.date <= from.date ? 'The date to must be the same as or after the date from' : undefined),
    };
    const staffUsers = await listStaffUsers(hub.db);
    const names = new Map(staffUsers.map((u) => [u.id, staffDisplayName(u)]));
    const cursor = text(q, 'cursor') || undefined;
    const trail = text(q, 'back').split('.').filter(Boolean).slice(-TRAIL_MAX);

    let events: AuditEntry[] = [];
    let nextCursor: string | null = null;
    let caseNotFound = false;
    if (!Object.values(errors).some(Boolean)) {
      const processId = filter.reference ? await processIdByReference(hub.db, filter.reference) : null;
      caseNotFound = !!filter.reference && !processId;
      if (!caseNotFound) {
        try {
          const page = await queryAudit(hub.db, {
            processId: processId ?? undefined,
            actor: filter.actor ? actorFilter(filter.actor, staffUsers, staff) : undefined,
            action: filter.action || undefined,
            since: from.date ?? undefined,
            until: to.date ?? undefined,
            cursor,
            limit: PAGE_SIZE,
            services: staff.council === null ? null : hub.councils.servicesOf(hub.catalogue, staff.council),
            council: staff.council,
          });
          events = page.events;
          nextCursor = page.nextCursor;
        } catch (err) {
          // A cursor edited by hand: start again from the newest.
          if (!(err instanceof HttpError && err.status === 400)) throw err;
          return ctx.redirect(`/staff/audit${query(filter, null, [])}`);
        }
      }
    }

    const rows = events.map((e) => ({
      id: e.id,
      at: e.at,
      who: describeActor(e.actor, names),
      actor: e.actor,
      what: ACTION_TEXT[e.action] ?? e.action,
      action: e.action,
      reason: e.action === 'process.erased' && typeof e.detail.reason === 'string' ? e.detail.reason : undefined,
      keyName: e.action.startsWith('api-key.') && typeof e.detail.name === 'string' ? e.detail.name : undefined,
      processId: e.processId,
      reference: e.reference,
    }));
    const previous = cursor ? query(filter, trail[trail.length - 1] ?? null, trail.slice(0, -1)) : null;
    const next = nextCursor ? query(filter, nextCursor, cursor ? [...trail, cursor] : trail) : null;
    const without = (change: Partial<typeof filter>) => `/staff/audit${query({ ...filter, ...change }, null, [])}`;
    const noDate = { day: '', month: '', year: '' };
    const activeFilters = [
      filter.actor && { heading: 'Who', text: filter.actor, href: without({ actor: '' }) },
      filter.action && { heading: 'Action', text: filter.action, href: without({ action: '' }) },
      filter.reference && { heading: 'Case', text: filter.reference.toUpperCase(), href: without({ reference: '' }) },
      from.date && { heading: 'Date from', text: `${filter.from.day}/${filter.from.month}/${filter.from.year}`, href: without({ from: noDate }) },
      to.date && { heading: 'Date to', text: `${filter.to.day}/${filter.to.month}/${filter.to.year}`, href: without({ to: noDate }) },
    ]
      .filter((f) => !!f)
      .map((f) => ({ heading: { text: f.heading }, items: [{ href: f.href, text: f.text }] }));
    sendStaffPage(
      ctx,
      hub,
      'audit.njk',
      {
        title: 'Audit log',
        section: 'audit',
        filter,
        activeFilters,
        rows,
        caseNotFound,
        scope: staff.council ? hub.councils.get(staff.council).name : null,
        pagination: previous || next ? { previous: previous && { href: `/staff/audit${previous}` }, next: next && { href: `/staff/audit${next}` } } : null,
        errors,
        errorSummary: errorSummary(errors),
      },
      Object.values(errors).some(Boolean) ? 400 : 200,
    );
  });
}

/**
 * The actor to filter on: a staff member's name or e-mail address becomes their "staff:<id>" (someone the person may
 * see: of their council, unless they see every council); "API key X" becomes X; anything else is given to queryAudit as
 * typed (an exact actor or the name after its kind).
 */
function actorFilter(typed: string, users: StaffUser[], viewer: StaffUser): string {
  const lower = typed.toLowerCase();
  const person = users.find(
    (u) => (u.email === lower || (u.name ?? '').trim().toLowerCase() === lower) && (viewer.council === null || u.council === viewer.council),
  );
  if (person) return `staff:${person.id}`;
  const key = /^api key (.+)$/i.exec(typed);
  return key ? `api-client:${key[1]!.trim()}` : typed;
}

/** The page's query string for a cursor and the trail of the pages before it. */
function query(filter: { actor: string; action: string; reference: string; from: DateField; to: DateField }, cursor: string | null, trail: string[]): string {
  const params = new URLSearchParams();
  if (filter.actor) params.set('actor', filter.actor);
  if (filter.action) params.set('action', filter.action);
  if (filter.reference) params.set('case', filter.reference);
  for (const [prefix, d] of [
    ['from', filter.from],
    ['to', filter.to],
  ] as const) {
    for (const part of ['day', 'month', 'year'] as const) if (d[part]) params.set(`${prefix}-${part}`, d[part]);
  }
  if (cursor) params.set('cursor', cursor);
  if (cursor && trail.length) params.set('back', trail.join('.'));
  const s = params.toString();
  return s ? `?${s}` : '';
}
