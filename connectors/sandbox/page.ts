// The sandbox's page and buttons: what arrived, and forms that act on it as a back office would, through the hub's
// process API (the same actions as the REST API: the citizen is told and their tracking page shows the change). They
// answer only the addresses in allowFrom, and a form needs the CSRF token of the browser's cookie.
import { latestReceived } from './inbox-repo.ts';
import { fileURLToPath } from 'node:url';
import type { Actor, ConnectorContext, InboundRequest, InboundResponse, PluginDatabase, TaskStatus } from '@closeloop/sdk';
import type { Access } from './access.ts';
import type { SandboxConfig } from './config.ts';
import { csrfMatches, csrfToken } from './csrf.ts';

const TEMPLATES = fileURLToPath(new URL('./templates', import.meta.url));
const ACTOR: Actor = { name: 'Sandbox back office', kind: 'connector' };
const TASK_STATUSES = new Set<string>(['open', 'in_progress', 'completed', 'cancelled']);

export interface SandboxPage {
  access: Access;
  /** The sandbox's table. */
  db(): PluginDatabase;
  /** Where the binding's routes are: /connectors/{binding}. */
  base: string;
}

type Ctx = ConnectorContext<SandboxConfig, unknown>;

function html(status: number, body: string, headers: Record<string, string> = {}): InboundResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers }, body };
}

function render(ctx: Ctx, template: string, context: Record<string, unknown>): string {
  if (!ctx.pages) throw new Error('the sandbox page needs the hub to render pages');
  return ctx.pages.render(TEMPLATES, template, context);
}

function errorPage(ctx: Ctx, status: number, heading: string, message: string): InboundResponse {
  return html(status, render(ctx, 'error.njk', { title: heading, heading, message }));
}

function refused(ctx: Ctx, page: SandboxPage): InboundResponse {
  return errorPage(
    ctx,
    403,
    'You cannot open the sandbox from here',
    `${page.access.audience} To open it from another computer, add that computer's address to allowFrom.`,
  );
}

export async function showInbox(req: InboundRequest, ctx: Ctx, page: SandboxPage): Promise<InboundResponse> {
  if (!page.access.allows(req.clientAddress)) return refused(ctx, page);
  const rows = await latestReceived(page.db());
  const items = await Promise.all(
    rows.map(async (r) => {
      const process = r.reference ? await ctx.processes.find({ reference: r.reference }) : null;
      const tasks = process ? await ctx.processes.tasks(process.id) : [];
      return {
        seq: r.seq,
        reference: r.reference,
        ref: `SBX-${r.seq}`,
        receivedAt: r.received_at.toISOString(),
        process_id: process?.id,
        status: process?.status,
        service_id: process?.serviceId,
        tasks,
      };
    }),
  );
  const csrf = csrfToken(req.headers.cookie, ctx.publicBaseUrl.startsWith('https:'));
  const done = typeof req.query.done === 'string' ? req.query.done : undefined;
  const body = render(ctx, 'sandbox.njk', {
    title: 'Sandbox back office',
    serviceName: 'Sandbox back office',
    items,
    csrf: csrf.token,
    done,
    audience: page.access.audience,
    base: req.base ?? page.base,
  });
  return html(200, body, csrf.setCookie ? { 'set-cookie': csrf.setCookie } : {});
}

export async function act(req: InboundRequest, ctx: Ctx, page: SandboxPage): Promise<InboundResponse> {
  if (!page.access.allows(req.clientAddress)) return refused(ctx, page);
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const form = type === 'application/x-www-form-urlencoded' ? new URLSearchParams(req.rawBody.toString('utf8')) : new URLSearchParams();
  if (!csrfMatches(req.headers.cookie, form.get('_csrf')))
    return errorPage(ctx, 403, 'Forbidden', 'The form has expired. Go back, reload the page and try again.');
  const process = await ctx.processes.find({ processId: req.params.processId ?? '' });
  if (!process) return errorPage(ctx, 404, 'Not found', 'There is no such process');
  const action = form.get('action');
  const text = (form.get('text') ?? '').trim();
  try {
    if (action === 'note') {
      if (!text) return errorPage(ctx, 422, 'Enter the note', 'Enter the note, then press Add note again.');
      await ctx.processes.addNote(process.id, { text: text.slice(0, 5000), visibleToCitizen: form.get('visibility') !== 'private' }, ACTOR);
    } else if (action === 'task') {
      const status = form.get('status') ?? '';
      if (!TASK_STATUSES.has(status)) return errorPage(ctx, 422, 'Select a status', 'Select the status the task moves to.');
      await ctx.processes.updateTask(
        process.id,
        form.get('taskKey') ?? '',
        { status: status as TaskStatus, ...(text ? { note: text.slice(0, 5000) } : {}) },
        ACTOR,
      );
    } else if (action === 'close') {
      await ctx.processes.close(process.id, text.slice(0, 2000) || 'Closed by the sandbox back office', ACTOR);
    } else {
      return errorPage(ctx, 400, 'Bad request', 'Unknown action');
    }
  } catch (err) {
    // The hub refused the change as it would through the API: no such task (404), a closed process (409)…
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) return errorPage(ctx, status, 'The change was refused', (err as Error).message);
    throw err;
  }
  return { status: 302, headers: { location: `${req.base ?? page.base}/?done=${encodeURIComponent(action)}` } };
}
