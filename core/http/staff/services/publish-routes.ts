// Publishing the draft (/staff/services/{id}/publish): the checks the admin API runs (draftProblems), each problem in
// plain English linking to where it is fixed; with none, "Publish version N" → publishDraft (which writes the audit
// entry) → a confirmation panel.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { ValidationError } from '../../../errors.ts';
import { draftProblems, publishDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import { problemLinks, type LinkedProblem } from '../../../designer/problem-links.ts';
import { requiredElementsNotMapped } from '../../../designer/xml-mapping-gaps.ts';
import { serviceDefinitionSchema } from '../../../services/index.ts';
import { staffWithRole } from '../admin-access.ts';
import { sendStaffPage } from '../page-context.ts';
import { draftIfAny, editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { serviceIdParam, servicePath } from './service-params.ts';

export function mountPublish(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:id/publish', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    await sendPublishPage(ctx, hub, id, await draftIfAny(ctx, hub, id));
  });

  router.post('/services/:id/publish', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    const draft = await draftIfAny(ctx, hub, id);
    try {
      const { version } = await publishDraft(hub, editorOf(ctx), id, postedRevision(ctx));
      ctx.redirect(servicePath(id, `/publish/done?version=${version}`));
    } catch (err) {
      // Someone changed the draft so it has problems again: show them (a stale revision is the conflict page).
      if (!(err instanceof ValidationError) || !draft) throw err;
      await sendPublishPage(ctx, hub, id, draft, 400);
    }
  });

  router.get('/services/:id/publish/done', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    await draftIfAny(ctx, hub, id);
    const live = hub.catalogue.has(id) ? hub.catalogue.get(id) : undefined;
    const version = Number(ctx.query.version);
    if (!live || live.version !== version) return ctx.redirect(servicePath(id));
    sendStaffPage(ctx, hub, 'services/published.njk', {
      title: `Version ${version} is live`,
      section: 'services',
      service: { id, title: live.definition.title },
      version,
    });
  });
}

async function sendPublishPage(ctx: Koa.Context, hub: Hub, id: string, draft: WorkingDraft | undefined, status = 200): Promise<void> {
  if (!draft) {
    return sendStaffPage(ctx, hub, 'message.njk', {
      title: 'There is nothing to publish',
      section: 'services',
      heading: 'There is nothing to publish',
      paragraphs: ['This service has no draft. Edit the service to make a draft, then publish it.'],
      link: { href: servicePath(id), text: 'Go to the service' },
    });
  }
  const problems = publishPageProblems(hub, id, draft);
  const versions = await hub.catalogue.versionsOf(id);
  const parsed = problems.length ? undefined : serviceDefinitionSchema.safeParse(draft.definition);
  sendStaffPage(
    ctx,
    hub,
    'services/publish.njk',
    {
      title: problems.length ? `${draft.definition.title || id} cannot be published yet` : `Publish ${draft.definition.title}`,
      section: 'services',
      service: { id, title: draft.definition.title || id },
      problems,
      revision: draft.revision,
      nextVersion: parsed?.success ? await hub.catalogue.versionNumberFor(parsed.data) : (versions[0]?.version ?? 0) + 1,
      live: versions.find((v) => v.state === 'published')?.version ?? null,
    },
    status,
  );
}

/**
 * The publish checks as linked sentences. An element the XSD requires that no mapping row fills is named and linked to
 * its row, instead of the sample XML's validation error it causes (which names a line of XML the editor never sees).
 */
function publishPageProblems(hub: Hub, id: string, draft: WorkingDraft): LinkedProblem[] {
  const problems = problemLinks(id, draft.definition, draftProblems(hub, draft.definition));
  const gaps = requiredElementsNotMapped(hub.config.paths.xsd, draft.definition);
  if (!gaps.length) return problems;
  const gapProblems = gaps.map((g) => ({
    text: `XML mapping: the XSD needs ${g.name}${g.alternatives.length ? ` (or ${g.alternatives.join(' or ')})` : ''}, and nothing fills it`,
    href: g.href,
  }));
  return [...problems.filter((p) => !p.text.startsWith('XML mapping: sample XML fails')), ...gapProblems];
}
