// The built-in sandbox back office, so the example council shows the whole loop with nothing else installed:
// the `sandbox` webhook binding delivers here (signature checked like any back office would), /sandbox lists what
// arrived, and its buttons act as the back office through the hub's public REST API with the sandbox's own API key.
// Enabled only when a binding named "sandbox" exists. Not for production: it shows citizens' submissions and acts on
// every service's processes with no sign-in, so its page and buttons answer only the addresses in sandbox.allowFrom
// (this machine by default). Its inbox answers anyone, but only deliveries signed with the binding's secret: the worker
// that delivers may run on another machine or come in through a proxy.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import getRawBody from 'raw-body';
import { QueryTypes } from 'sequelize';
import type { Hub } from '../../hub.ts';
import { verifyWebhook, WebhookVerificationError } from '../../webhooks/standard-webhooks.ts';
import { generatedSecret } from '../../config/generated-secrets.ts';
import { hashApiKey } from '../../auth/api-keys.ts';
import { parseXmlSafely, UnsafeXmlError } from '../../xml/index.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import { renderPage } from '../pages/index.ts';
import { sendProblem } from '../problem.ts';
import { clientAllowlist } from '../client-allowlist.ts';
import { HttpError } from '../../errors.ts';

const SANDBOX_CLIENT = '00000000-0000-4000-8000-000000005b01';
const INBOX_LIMIT_BYTES = 5 * 1024 * 1024;
/** 127.0.0.0/8 or a part of it, or ::1. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+(\/(8|9|[12]\d|3[0-2]))?|::1(\/128)?)$/;

/** Who may open the sandbox, in words for its page and its refusal: "only requests from this machine". */
function sandboxAudience(allowFrom: readonly string[]): string {
  const who = allowFrom.every((a) => LOOPBACK.test(a)) ? 'only requests from this machine' : `requests from ${allowFrom.join(', ')} only`;
  return `The sandbox back office answers ${who} (sandbox.allowFrom in closeloop.yaml).`;
}

/** The sandbox's API key: made once, kept as a generated secret, registered (hashed) as an API client for every service. */
async function sandboxKey(hub: Hub): Promise<string> {
  const key = `clk_${(await generatedSecret(hub.sequelize, 'sandbox-api-key')).replace(/^whsec_/, '').replace(/[^A-Za-z0-9]/g, '')}`;
  await hub.sequelize.query(
    `insert into api_clients (id, name, key_hash, key_prefix, services, admin) values ($1, 'Sandbox back office', $2, $3, '{*}', false)
     on conflict (id) do update set key_hash = excluded.key_hash, revoked_at = null`,
    { bind: [SANDBOX_CLIENT, hashApiKey(key), key.slice(0, 10)] },
  );
  return key;
}

export function mountSandbox(router: Router, hub: Hub): void {
  const binding = hub.config.bindings.sandbox;
  if (!binding) return;
  const secret = String(binding.config.secret);
  let key: Promise<string> | null = null;
  const apiKey = () => (key ??= sandboxKey(hub));
  const form = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });
  const allowlist = clientAllowlist(hub.config.sandbox.allowFrom, hub.config.server.trustProxy);
  const audience = sandboxAudience(hub.config.sandbox.allowFrom);
  const onlyAllowed: Middleware = async (ctx, next) => {
    if (!allowlist.allows(ctx)) {
      throw new HttpError(403, 'You cannot open the sandbox from here', `${audience} To open it from another computer, add that computer's address to sandbox.allowFrom.`);
    }
    await next();
  };

  router.post('/sandbox/inbox', async (ctx) => {
    let raw: Buffer;
    try {
      raw = await getRawBody(ctx.req, { limit: INBOX_LIMIT_BYTES });
    } catch (err) {
      // Answered here, as the API answers: a back office's request gets problem+json whatever it accepts.
      if ((err as { status?: number }).status === 413) return sendProblem(ctx, 413, 'Payload too large', 'A sandbox delivery may be at most 5 MB');
      throw err;
    }
    let id: string;
    try {
      id = verifyWebhook(secret, ctx.headers, raw);
    } catch (err) {
      if (err instanceof WebhookVerificationError) return sendProblem(ctx, 401, 'Unauthorized', err.message);
      throw err;
    }
    let reference = '';
    try {
      const doc = parseXmlSafely(raw);
      reference = (doc.get('//*[local-name()="Reference"]') as { text(): string } | null)?.text() ?? '';
    } catch (err) {
      // A DOCTYPE or ENTITY is refused before parsing (no XXE, no entity bombs): well-formed but unacceptable, 422.
      if (err instanceof UnsafeXmlError) return sendProblem(ctx, 422, 'Unprocessable content', err.message);
      return sendProblem(ctx, 400, 'Bad request', 'The sandbox accepts XML deliveries');
    }
    const [row] = await hub.sequelize.query<{ seq: string }>(
      `with ins as (insert into sandbox_inbox (webhook_id, reference, body) values ($1, $2, $3) on conflict (webhook_id) do nothing returning seq)
       select seq from ins union all select seq from sandbox_inbox where webhook_id = $1 limit 1`,
      { bind: [id, reference, raw.toString('utf8')], type: QueryTypes.SELECT },
    );
    ctx.set('X-Sandbox-Reference', `SBX-${row!.seq}`);
    ctx.status = 202;
    ctx.body = { received: true, reference: `SBX-${row!.seq}` };
  });

  router.get('/sandbox', onlyAllowed, async (ctx) => {
    const rows = await hub.sequelize.query<{ seq: string; reference: string; received_at: Date; process_id: string | null; status: string | null; service_id: string | null }>(
      `select s.seq, s.reference, s.received_at, p.id as process_id, p.status, p.service_id
       from sandbox_inbox s left join processes p on p.reference = s.reference order by s.seq desc limit 50`,
      { type: QueryTypes.SELECT },
    );
    const items = await Promise.all(
      rows.map(async (r) => {
        const tasks = r.process_id
          ? await hub.sequelize.query<{ key: string; title: string; status: string }>('select key, title, status from tasks where process_id = $1 order by position', {
              bind: [r.process_id],
              type: QueryTypes.SELECT,
            })
          : [];
        return { ...r, ref: `SBX-${r.seq}`, receivedAt: r.received_at.toISOString(), tasks };
      }),
    );
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html';
    ctx.body = renderPage('sandbox.njk', { council: hub.config.council, title: 'Sandbox back office', serviceName: 'Sandbox back office', items, csrf: csrfToken(ctx), done: ctx.query.done, audience });
  });

  // Each action calls the public API, exactly as a real back office would.
  router.post('/sandbox/act/:processId', onlyAllowed, form, async (ctx) => {
    const body = (ctx.request as { body?: Record<string, string> }).body ?? {};
    checkCsrf(ctx, body._csrf);
    // One path segment of the API's URL, whatever it holds ("<id>/notes?x=", "../admin/…" stay inside it).
    const processId = encodeURIComponent(ctx.params.processId!);
    const base = hub.config.server.publicBaseUrl.replace(/\/$/, '');
    const headers = { authorization: `Bearer ${await apiKey()}`, 'content-type': 'application/json' };
    let res: Response;
    if (body.action === 'note') {
      res = await fetch(`${base}/api/v1/processes/${processId}/notes`, { method: 'POST', headers, body: JSON.stringify({ text: body.text ?? '', visibleToCitizen: body.visibility !== 'private' }) });
    } else if (body.action === 'task') {
      res = await fetch(`${base}/api/v1/processes/${processId}/tasks/${encodeURIComponent(body.taskKey ?? '')}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ status: body.status, ...(body.text ? { note: body.text } : {}) }),
      });
    } else if (body.action === 'close') {
      res = await fetch(`${base}/api/v1/processes/${processId}/close`, { method: 'POST', headers, body: JSON.stringify({ reason: body.text || 'Closed by the sandbox back office' }) });
    } else {
      return sendProblem(ctx, 400, 'Bad request', 'Unknown action');
    }
    if (!res.ok) {
      ctx.status = res.status;
      ctx.type = 'text/html';
      ctx.body = renderPage('error.njk', { council: hub.config.council, title: 'The API refused the change', heading: 'The API refused the change', message: await res.text() });
      return;
    }
    ctx.redirect(`/sandbox?done=${encodeURIComponent(body.action)}`);
  });
}
