// Outbound event subscriptions in the console (operators and council admins): the list with each one's recent
// deliveries, a GOV.UK form to subscribe a URL to event types (its signing secret shown once), and delete with
// confirmation. The same domain functions as the admin API; council admins see and make their council's only.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import {
  createSubscription,
  deleteSubscription,
  EVENT_DESCRIPTIONS,
  EVENT_TYPES,
  findSubscription,
  listSubscriptions,
  recentDeliveriesOf,
  type EventType,
  type SubscriptionRecord,
} from '../../subscriptions/index.ts';
import { actorOf, staffOf, staffWithRole } from './admin-access.ts';
import { errorSummary, sendStaffPage } from './page-context.ts';
import { formBody } from './form-body.ts';

const RECENT = 5;

interface SubscriptionForm {
  url: string;
  description: string;
  events: string[];
  allowPrivateNetwork: boolean;
}

function readForm(ctx: Koa.Context): SubscriptionForm {
  const body = formBody(ctx);
  return {
    url: (body.url ?? '').trim(),
    description: (body.description ?? '').trim(),
    events: EVENT_TYPES.filter((e) => body[`event:${e}`]),
    allowPrivateNetwork: body.allowPrivateNetwork === 'yes',
  };
}

function urlError(url: string): string | undefined {
  if (!url) return 'Enter the web address the events are sent to';
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    return 'Enter a web address starting with https:// or http://, like https://crm.example.gov.uk/hooks';
  }
  return url.length > 2000 ? 'The web address must be 2,000 characters or fewer' : undefined;
}

export function mountSubscriptions(router: Router, hub: Hub): void {
  const admins = staffWithRole('operator', 'council-admin');
  const councilName = (id: string | null) => (id === null ? 'Every council' : hub.councils.get(id).name);

  router.get('/subscriptions', ...admins, async (ctx) => {
    const staff = staffOf(ctx);
    const subs = await listSubscriptions(hub.db, staff.council);
    const recent = await recentDeliveriesOf(
      hub.db,
      subs.map((s) => s.id),
      RECENT,
    );
    const deleted = typeof ctx.query.deleted === 'string' && /^[0-9a-f-]{36}$/.test(ctx.query.deleted);
    sendStaffPage(ctx, hub, 'subscriptions.njk', {
      title: 'Subscriptions',
      section: 'subscriptions',
      showCouncil: staff.council === null,
      notice: deleted ? 'The subscription was deleted. Nothing more is sent to it.' : undefined,
      subscriptions: subs.map((s) => ({
        ...view(s),
        council: councilName(s.council),
        deliveries: recent.filter((d) => d.subscriptionId === s.id),
      })),
    });
  });

  const formPage = (ctx: Koa.Context, form: Partial<SubscriptionForm>, errors: Record<string, string | undefined> = {}, status = 200) => {
    const staff = staffOf(ctx);
    sendStaffPage(
      ctx,
      hub,
      'subscription-new.njk',
      {
        title: 'Subscribe to events',
        section: 'subscriptions',
        form: { url: '', description: '', ...form },
        councilName: staff.council ? hub.councils.get(staff.council).name : undefined,
        operator: staff.council === null,
        events: EVENT_TYPES.map((e) => ({
          name: `event:${e}`,
          value: 'yes',
          text: e,
          hint: { text: EVENT_DESCRIPTIONS[e] },
          checked: form.events?.includes(e),
        })),
        privateItems: [
          {
            value: 'yes',
            text: 'Allow a private or local network address',
            hint: { text: "Only for a system on the council's own network" },
            checked: form.allowPrivateNetwork,
          },
        ],
        errors,
        errorSummary: errorSummary(errors),
      },
      status,
    );
  };

  router.get('/subscriptions/new', ...admins, (ctx) => formPage(ctx, {}));

  router.post('/subscriptions', ...admins, async (ctx) => {
    const staff = staffOf(ctx);
    const form = readForm(ctx);
    const errors: Record<string, string | undefined> = {
      url: urlError(form.url),
      description: form.description.length > 200 ? 'The description must be 200 characters or fewer' : undefined,
      events: form.events.length ? undefined : 'Select at least one event type',
    };
    if (Object.values(errors).some(Boolean)) return formPage(ctx, form, errors, 400);
    try {
      const { subscription, secret } = await createSubscription(
        hub.db,
        {
          url: form.url,
          events: form.events as EventType[],
          description: form.description || null,
          allowPrivateNetwork: staff.council === null && form.allowPrivateNetwork,
        },
        { actor: actorOf(staff).actor, council: staff.council },
      );
      ctx.set('cache-control', 'no-store');
      // The secret is on this page only: not in a redirect, never stored in plain text.
      sendStaffPage(ctx, hub, 'subscription-created.njk', {
        title: 'Subscription created',
        section: 'subscriptions',
        subscription: view(subscription),
        secret,
      });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const refused = err.errors.find((e) => e.field === 'url');
      return formPage(ctx, form, { url: refused ? `Enter a public web address: ${refused.message}` : err.message }, 400);
    }
  });

  const subscriptionOf = async (ctx: Koa.Context): Promise<SubscriptionRecord> => {
    const id = String(ctx.params.id ?? '');
    const found = /^[0-9a-f-]{36}$/.test(id) ? await findSubscription(hub.db, id, staffOf(ctx).council) : undefined;
    if (!found) throw new NotFoundError('There is no such subscription.');
    return found;
  };

  router.get('/subscriptions/:id/delete', ...admins, async (ctx) => {
    const s = await subscriptionOf(ctx);
    sendStaffPage(ctx, hub, 'subscription-delete.njk', { title: 'Delete the subscription', section: 'subscriptions', subscription: view(s) });
  });

  router.post('/subscriptions/:id/delete', ...admins, async (ctx) => {
    const s = await subscriptionOf(ctx);
    const staff = staffOf(ctx);
    await deleteSubscription(hub.db, s.id, staff.council, actorOf(staff).actor);
    ctx.redirect(`/staff/subscriptions?deleted=${encodeURIComponent(s.id)}`);
  });
}

function view(s: SubscriptionRecord) {
  return { id: s.id, url: s.url, events: s.events, description: s.description, createdAt: s.createdAt };
}
