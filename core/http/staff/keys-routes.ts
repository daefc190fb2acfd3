// API keys for back offices: list, create (scoped to a council's services, with an expiry; the key shown once), revoke.
// Through core/auth/api-keys.ts, as the CLI (`closeloop keys`) does; every change is in the audit log with the person.
// Council admins see and make keys of their council only; operators of any council. Other roles: 404.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { createApiKey, KeyExpiryError, listApiClients, parseKeyExpiry, revokeApiKey } from '../../auth/api-keys.ts';
import type { ApiClientRecord } from '../../auth/api-clients-repo.ts';
import { NotFoundError } from '../../errors.ts';
import { insertAuditEvent } from '../../governance/audit-repo.ts';
import type { StaffUser } from '../../staff/index.ts';
import { actorOf, staffOf, staffWithRole } from './admin-access.ts';
import { errorSummary, sendStaffPage } from './page-context.ts';
import { formBody } from './form-body.ts';

const NAME_MAX = 100;
/** The council radio's value for a key of every council (the hub operator's). */
const EVERY_COUNCIL = '*';

export type KeyStatus = 'active' | 'expired' | 'revoked';

export function keyStatus(c: Pick<ApiClientRecord, 'revokedAt' | 'expiresAt'>, now = new Date()): KeyStatus {
  return c.revokedAt ? 'revoked' : c.expiresAt && c.expiresAt <= now ? 'expired' : 'active';
}

/** The keys the person may see: their council's, or every key for a person of every council. */
async function visibleKeys(hub: Hub, staff: StaffUser): Promise<ApiClientRecord[]> {
  const all = await listApiClients(hub.db);
  return staff.council === null ? all : all.filter((c) => c.council === staff.council);
}

interface ServiceOption {
  id: string;
  title: string;
  council: string;
}

/** The services a key may be given: the person's council's, or every council's for an operator. */
function serviceOptions(hub: Hub, staff: StaffUser): ServiceOption[] {
  return hub.catalogue
    .list()
    .map((sv) => ({ id: sv.definition.id, title: sv.definition.title, council: hub.councils.idOfService(hub.catalogue, sv.definition.id) }))
    .filter((s) => staff.council === null || s.council === staff.council);
}

interface KeyForm {
  name: string;
  council: string;
  services: string[];
  day: string;
  month: string;
  year: string;
}

function readForm(ctx: Koa.Context, hub: Hub, staff: StaffUser): KeyForm {
  const body = formBody(ctx);
  const services = Object.keys(body)
    .filter((k) => k.startsWith('service:') && body[k])
    .map((k) => k.slice('service:'.length));
  return {
    name: (body.name ?? '').trim(),
    council: staff.council ?? body.council ?? '',
    services,
    day: (body['expiry-day'] ?? '').trim(),
    month: (body['expiry-month'] ?? '').trim(),
    year: (body['expiry-year'] ?? '').trim(),
  };
}

/** The expiry date typed in, as YYYY-MM-DD (null: none given), or the GOV.UK error for it. */
function expiryOf(form: KeyForm): { date: Date | null; error?: string; fields?: ('day' | 'month' | 'year')[] } {
  const parts = { day: form.day, month: form.month, year: form.year };
  const missing = (Object.keys(parts) as ('day' | 'month' | 'year')[]).filter((k) => !parts[k]);
  if (missing.length === 3) return { date: null };
  if (missing.length) return { date: null, error: `The expiry date must include a ${missing.join(' and a ')}`, fields: missing };
  if (!/^\d{1,2}$/.test(form.day) || !/^\d{1,2}$/.test(form.month) || !/^\d{4}$/.test(form.year))
    return { date: null, error: 'The expiry date must be a real date', fields: ['day', 'month', 'year'] };
  const ymd = `${form.year}-${form.month.padStart(2, '0')}-${form.day.padStart(2, '0')}`;
  try {
    return { date: parseKeyExpiry(ymd) };
  } catch (err) {
    if (!(err instanceof KeyExpiryError)) throw err;
    const real = !/is not a date/.test(err.message);
    return { date: null, error: real ? 'The expiry date must be in the future' : 'The expiry date must be a real date', fields: ['day', 'month', 'year'] };
  }
}

export function mountApiKeys(router: Router, hub: Hub): void {
  const admins = staffWithRole('operator', 'council-admin');
  const councilName = (id: string | null) => (id === null ? 'Every council' : hub.councils.get(id).name);

  router.get('/api-keys', ...admins, async (ctx) => {
    const staff = staffOf(ctx);
    const now = new Date();
    const keys = (await visibleKeys(hub, staff)).reverse().map((c) => ({
      id: c.id,
      name: c.name,
      prefix: c.keyPrefix,
      services: c.services.includes('*') ? ['All services'] : c.services.map((s) => (hub.catalogue.has(s) ? hub.catalogue.get(s).definition.title : s)),
      admin: c.admin,
      council: councilName(c.council),
      expiresAt: c.expiresAt,
      lastUsedAt: c.lastUsedAt,
      status: keyStatus(c, now),
    }));
    const revoked = typeof ctx.query.revoked === 'string' ? keys.find((k) => k.id === ctx.query.revoked) : undefined;
    sendStaffPage(ctx, hub, 'api-keys.njk', {
      title: 'API keys',
      section: 'api-keys',
      keys,
      showCouncil: staff.council === null,
      notice: revoked ? `The key "${revoked.name}" was revoked. It no longer works.` : undefined,
    });
  });

  const formPage = (ctx: Koa.Context, form: Partial<KeyForm>, errors: Record<string, string | undefined> = {}, status = 200, dateFields: string[] = []) => {
    const staff = staffOf(ctx);
    const options = serviceOptions(hub, staff);
    const councils = [...hub.councils.ids().map((id) => ({ value: id, text: hub.councils.get(id).name })), { value: EVERY_COUNCIL, text: 'Every council' }];
    sendStaffPage(
      ctx,
      hub,
      'api-key-new.njk',
      {
        title: 'Create an API key',
        section: 'api-keys',
        form: { name: '', services: [], day: '', month: '', year: '', ...form },
        chooseCouncil: staff.council === null,
        councils: councils.map((c) => ({ ...c, checked: form.council === c.value })),
        councilName: staff.council ? hub.councils.get(staff.council).name : undefined,
        services: [
          ...options.map((s) => ({
            name: `service:${s.id}`,
            value: 'yes',
            text: s.title,
            hint: staff.council === null ? { text: hub.councils.get(s.council).name } : undefined,
            checked: form.services?.includes(s.id),
          })),
          { divider: 'or' },
          {
            name: 'service:*',
            value: 'yes',
            text: staff.council === null ? 'All services of the council' : 'All services',
            hint: { text: 'Including services published later' },
            checked: form.services?.includes('*'),
          },
        ],
        errors,
        dateFields,
        errorSummary: errorSummary(errors),
      },
      status,
    );
  };

  router.get('/api-keys/new', ...admins, (ctx) => formPage(ctx, {}));

  router.post('/api-keys', ...admins, async (ctx) => {
    const staff = staffOf(ctx);
    const form = readForm(ctx, hub, staff);
    const expiry = expiryOf(form);
    const council = form.council === EVERY_COUNCIL ? null : form.council;
    const known = new Map(serviceOptions(hub, staff).map((s) => [s.id, s.council]));
    const errors: Record<string, string | undefined> = {
      name: !form.name ? 'Enter a name for the key' : form.name.length > NAME_MAX ? `The name must be ${NAME_MAX} characters or fewer` : undefined,
      council:
        staff.council === null && !(form.council === EVERY_COUNCIL || hub.councils.has(form.council))
          ? 'Select the council whose services the key reaches'
          : undefined,
      services: undefined,
      'expiry-day': expiry.error,
    };
    if (!form.services.length) errors.services = 'Select at least one service';
    else if (form.services.includes('*') && form.services.length > 1) errors.services = 'Select either services or all services, not both';
    else if (form.services.some((s) => s !== '*' && !known.has(s))) errors.services = 'Select services from the list';
    else if (council !== null && form.services.some((s) => s !== '*' && known.get(s) !== council))
      errors.services = `Select only services of ${hub.councils.get(council).name}`;
    if (Object.values(errors).some(Boolean)) return formPage(ctx, form, errors, 400, expiry.fields ?? []);

    const { client, key } = await createApiKey(hub.db, { name: form.name, services: form.services, council, expiresAt: expiry.date });
    const { actor } = actorOf(staff);
    await insertAuditEvent(hub.db, {
      actor,
      action: 'api-key.created',
      target: client.id,
      detail: { name: client.name, services: client.services, admin: false, council: client.council, expiresAt: expiry.date },
    });
    // The key itself is on this page only: not in a redirect, never stored.
    sendStaffPage(ctx, hub, 'api-key-created.njk', {
      title: 'API key created',
      section: 'api-keys',
      name: client.name,
      key,
      council: councilName(client.council),
      expiresAt: expiry.date,
    });
  });

  const keyOf = async (ctx: Koa.Context): Promise<ApiClientRecord> => {
    const id = String(ctx.params.id ?? '');
    const found = /^[0-9a-f-]{36}$/.test(id) ? (await visibleKeys(hub, staffOf(ctx))).find((c) => c.id === id) : undefined;
    if (!found) throw new NotFoundError('There is no such API key.');
    return found;
  };

  router.get('/api-keys/:id/revoke', ...admins, async (ctx) => {
    const c = await keyOf(ctx);
    if (keyStatus(c) === 'revoked') return ctx.redirect('/staff/api-keys');
    sendStaffPage(ctx, hub, 'api-key-revoke.njk', {
      title: `Revoke the key ${c.name}`,
      section: 'api-keys',
      key: { id: c.id, name: c.name, prefix: c.keyPrefix, council: councilName(c.council) },
    });
  });

  router.post('/api-keys/:id/revoke', ...admins, async (ctx) => {
    const c = await keyOf(ctx);
    const n = await revokeApiKey(hub.db, c.id);
    if (n)
      await insertAuditEvent(hub.db, {
        actor: actorOf(staffOf(ctx)).actor,
        action: 'api-key.revoked',
        target: c.id,
        detail: { name: c.name, council: c.council, revoked: n },
      });
    ctx.redirect(`/staff/api-keys?revoked=${encodeURIComponent(c.id)}`);
  });
}
