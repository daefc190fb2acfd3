// The draft's pages one by one, each rendered by the citizen's own templates and page building (form-flow.ts,
// form-page-view.ts) and marked as a preview: the start page, every question page (empty, as a citizen first sees it),
// check your answers (with sample answers) and the confirmation. Their buttons lead into "try it", which runs the draft
// through from start to end without sending anything.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import type { ReceivedFile, ServiceVersion } from '../../../services/index.ts';
import { sampleAnswers } from '../../../services/sample-answers.ts';
import { formPages, previousPage } from '../../../forms/pages.ts';
import { newReference } from '../../../processes/reference.ts';
import { checkAnswersView, confirmationView } from '../../routes/form-flow.ts';
import { questionPageView } from '../../routes/form-page-view.ts';
import { FIND, findAddressView, lookupFieldOf } from '../../routes/find-address.ts';
import { offersSaveAndReturn } from '../../routes/save-and-return.ts';
import { renderPage } from '../../pages/index.ts';
import type { StaffState } from '../../../staff/index.ts';
import { staffWithRole } from '../admin-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { draftForEditing } from './draft-access.ts';
import { draftAsVersion } from './draft-version.ts';
import { sendDesignerPage, servicePath } from './designer-page.ts';
import { previewBanner } from './try-routes.ts';

export function mountPreview(router: Router, hub: Hub): void {
  const guard = staffWithRole(...DESIGNER_ROLES);
  const previewPath = (id: string, rest = '') => servicePath(id, `/preview${rest}`);
  const tryPath = (id: string, rest = '') => servicePath(id, `/try${rest}`);

  /** The draft as the citizen's pages take it, or a page saying what stops it being previewed. */
  async function previewable(ctx: Koa.Context): Promise<{ sv: ServiceVersion; council: string } | null> {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const result = draftAsVersion(draft);
    if (result.ok) return { sv: result.sv, council: draft.council };
    sendDesignerPage(ctx, hub, draft, 'preview-index.njk', {
      title: `Preview – ${draft.definition.title}`,
      problems: result.problems.map((p) => ({ text: `${p.field}: ${p.message}` })),
      pages: [],
    });
    return null;
  }

  function sendCitizenPage(ctx: Koa.Context, template: string, sv: ServiceVersion, council: string, context: Record<string, unknown>) {
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderPage(template, { council: hub.councils.get(council), ...context, ...previewBanner(sv.serviceId, false) });
  }

  router.get('/services/:serviceId/preview', ...guard, async (ctx) => {
    const found = await previewable(ctx);
    if (!found) return;
    const { sv } = found;
    const id = sv.serviceId;
    const draft = await draftForEditing(ctx, hub, id);
    sendDesignerPage(ctx, hub, draft, 'preview-index.njk', {
      title: `Preview – ${sv.definition.title}`,
      tryUrl: tryPath(id),
      pages: [
        { text: 'Start page', href: previewPath(id, '/start-page') },
        ...formPages(sv.definition).map((p) => ({
          text: p.fields.length === 1 ? p.fields[0]!.label : String(questionPageView(sv.definition, p, {}, [], null).title),
          hint: p.fields.some((f) => f.showIf) ? 'Asked only when an earlier answer needs it' : undefined,
          href: previewPath(id, `/pages/${encodeURIComponent(p.id)}`),
        })),
        { text: 'Check your answers (with sample answers)', href: previewPath(id, '/check-answers') },
        { text: 'Confirmation', href: previewPath(id, '/confirmation') },
      ],
    });
  });

  router.get('/services/:serviceId/preview/start-page', ...guard, async (ctx) => {
    const found = await previewable(ctx);
    if (!found) return;
    const { sv, council } = found;
    const first = formPages(sv.definition)[0]!;
    sendCitizenPage(ctx, 'form-start.njk', sv, council, {
      title: sv.definition.title,
      serviceName: sv.definition.title,
      service: sv.definition,
      minutes: Math.max(5, Math.round(sv.definition.fields.length * 0.7)),
      startUrl: tryPath(sv.serviceId, `/${first.id}`),
    });
  });

  router.get('/services/:serviceId/preview/pages/:pageId', ...guard, async (ctx) => {
    const found = await previewable(ctx);
    if (!found) return;
    const { sv, council } = found;
    const pages = formPages(sv.definition);
    const page = pages.find((p) => p.id === ctx.params.pageId);
    if (!page) throw new NotFoundError('There is no such page in this draft. It may have been removed.');
    const prev = previousPage(sv.definition, page.id, {});
    const backUrl = prev ? tryPath(sv.serviceId, `/${prev.id}`) : tryPath(sv.serviceId);
    const finding = lookupFieldOf(page, {});
    if (finding)
      return sendCitizenPage(ctx, 'find-address.njk', sv, council, {
        serviceName: sv.definition.title,
        serviceUrl: tryPath(sv.serviceId),
        ...findAddressView(finding, {
          action: tryPath(sv.serviceId, `/${page.id}/${FIND}`),
          manualUrl: tryPath(sv.serviceId, `/${page.id}?manual=1`),
          backUrl,
        }),
        formCsrf: (ctx.state as StaffState).csrfToken,
      });
    sendCitizenPage(ctx, 'form-page.njk', sv, council, {
      ...questionPageView(sv.definition, page, {}, [], null),
      serviceUrl: tryPath(sv.serviceId),
      action: tryPath(sv.serviceId, `/${page.id}`),
      backUrl,
      formCsrf: (ctx.state as StaffState).csrfToken,
      formEnctype: 'application/x-www-form-urlencoded',
      // As the citizen will see it (in "try it" the button only goes on to the next page).
      saveAndReturn: offersSaveAndReturn(hub, sv),
    });
  });

  router.get('/services/:serviceId/preview/check-answers', ...guard, async (ctx) => {
    const found = await previewable(ctx);
    if (!found) return;
    const { sv, council } = found;
    const files = new Map<string, ReceivedFile[]>();
    for (const f of sv.definition.fields)
      if (f.type === 'file')
        files.set(f.id, [{ documentId: '00000000-0000-4000-8000-000000000000', name: 'photo.jpg', contentType: f.accept[0]!, size: 120_000 }]);
    const answers = sampleAnswers(sv.definition);
    for (const id of files.keys()) delete answers[id];
    sendCitizenPage(ctx, 'check-answers.njk', sv, council, {
      ...checkAnswersView(sv, answers, files, tryPath(sv.serviceId)),
      csrf: (ctx.state as StaffState).csrfToken,
    });
  });

  router.get('/services/:serviceId/preview/confirmation', ...guard, async (ctx) => {
    const found = await previewable(ctx);
    if (!found) return;
    const { sv, council } = found;
    const def = sv.definition;
    const notice = def.contact.email ? { to: 'sam.sample@example.com', medium: 'email' as const, sent: true } : null;
    sendCitizenPage(ctx, 'confirmation.njk', sv, council, {
      ...confirmationView(sv, { reference: newReference(def.referencePrefix), trackingUrl: previewPath(sv.serviceId), processId: '' }, notice),
      serviceUrl: tryPath(sv.serviceId),
    });
  });
}
