// "Try it": the whole working draft run through the citizen's own pages (core/http/routes/form-flow.ts) at
// /staff/services/{id}/try — start page, each page with its validation and conditional questions, check your answers,
// confirmation — marked as a preview, and sending nowhere: no process, no delivery, no message. The answers live in a
// form session of the person's browser (its own cookie) and are forgotten once "sent". Files are not uploaded: only the
// name of the file chosen is kept, to show on the check-your-answers page.
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { ValidationError } from '../../../errors.ts';
import { validateAnswers, type ServiceVersion } from '../../../services/index.ts';
import { newReference } from '../../../processes/reference.ts';
import type { SessionFile } from '../../../forms/session.ts';
import { mountFormFlow, type FormHost } from '../../routes/form-flow.ts';
import { filesMap } from '../../routes/form-page-view.ts';
import type { StaffState } from '../../../staff/index.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody, formFields } from '../form-body.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { draftForEditing } from './draft-access.ts';
import { draftAsVersion } from './draft-version.ts';
import { servicePath } from './designer-page.ts';

export const TRY_SESSIONS = { cookie: 'closeloop_try', path: '/staff/services' };

/** What the layout shows on every preview and try-it page: the banner, and the way back to the designer. */
export function previewBanner(serviceId: string, trying: boolean): Record<string, unknown> {
  return {
    preview: {
      designerUrl: servicePath(serviceId),
      previewUrl: servicePath(serviceId, '/preview'),
      trying,
    },
  };
}

export function mountTryIt(router: Router, hub: Hub): void {
  const councils = new WeakMap<ServiceVersion, string>();
  const csrf = (ctx: Koa.Context) => (ctx.state as StaffState).csrfToken ?? '';
  const host: FormHost = {
    route: '/services/:serviceId/try',
    base: (id) => servicePath(id, '/try'),
    service: async (ctx, id) => {
      const draft = await draftForEditing(ctx, hub, id);
      const previewable = draftAsVersion(draft);
      if (!previewable.ok)
        throw new ValidationError(
          `This draft cannot be tried yet: ${previewable.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
          previewable.problems,
        );
      councils.set(previewable.sv, draft.council);
      return previewable.sv;
    },
    council: (sv) => hub.councils.get(councils.get(sv) ?? hub.councils.defaultId),
    sessions: { place: TRY_SESSIONS, key: (id) => `try:${id}` },
    view: (ctx, sv) => ({ ...previewBanner(sv.serviceId, true), formCsrf: csrf(ctx), formEnctype: 'application/x-www-form-urlencoded' }),
    pageAction: (_ctx, base, pageId, change) => `${base}/${pageId}${change ? '?change=1' : ''}`,
    // The staff console checked the form's _csrf field before this route ran (requireStaff).
    checkPageCsrf: () => {},
    readPage: async (ctx, fileFields) => {
      const fields = formFields(ctx);
      const files: SessionFile[] = [];
      for (const [id, field] of fileFields) {
        const names = ([] as string[]).concat(fields[id] ?? []).filter((n) => n.trim() !== '');
        for (const name of names.slice(0, field.multiple ? field.maxFiles : 1))
          files.push({ documentId: randomUUID(), fieldId: id, name: name.slice(0, 200), contentType: field.accept[0]!, size: 1, sha256: '', key: '' });
      }
      return {
        fields: Object.fromEntries(Object.entries(fields).filter(([k]) => !fileFields.has(k))),
        files,
        refused: [],
        tooManyFiles: false,
        discard: async () => {},
      };
    },
    readForm: async (ctx) => formBody(ctx),
    checkSend: async () => {},
    csrf,
    // Sends nowhere: the answers are checked as a real send checks them, then a made-up reference is shown.
    send: async (_ctx, sv, session) => {
      const checked = validateAnswers(sv.definition, session.answers, filesMap(session));
      if (checked.errors.length) throw new ValidationError('Some answers are no longer valid', checked.errors);
      return { reference: newReference(sv.definition.referencePrefix), trackingUrl: servicePath(sv.serviceId, '/preview'), processId: '' };
    },
    notice: async () => null,
  };
  mountFormFlow(router, hub, host, staffWithRole(...DESIGNER_ROLES));
}
