// Citizen form pages at /services/{id}, rendered on the server from the published definition (the flow itself is in
// form-flow.ts). Progress lives in a Postgres session; the answers are checked by the same validator as the API and sent
// through the same submission code.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { submit } from '../../processes/index.ts';
import { placeSubmission } from '../../boundary/index.ts';
import { confirmationNotice } from '../../forms/confirmation.ts';
import { CITIZEN_FORMS } from '../../forms/session.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import { discardFiles, parseMultipart, type MultipartResult } from '../multipart.ts';
import { mountFormFlow, type FormHost } from './form-flow.ts';
import { mountOutsideArea, outsideAreaPage } from './outside-area.ts';
import { mountSaveAndReturn, offersSaveAndReturn, SAVE_PAGE } from './save-and-return.ts';

export function mountForms(router: Router, hub: Hub): void {
  // Before the flow: its /services/{id}/{page} would otherwise take the save page for a question page.
  mountSaveAndReturn(router, hub);
  mountOutsideArea(router, hub);
  mountFormFlow(router, hub, citizenForms(hub));
}

function citizenForms(hub: Hub): FormHost {
  return {
    route: '/services/:serviceId',
    base: (id) => `/services/${id}`,
    service: async (_ctx, id) => hub.catalogue.get(id),
    council: (sv) => hub.councils.ofService(hub.catalogue, sv.serviceId),
    sessions: { place: CITIZEN_FORMS, key: (id) => id },
    view: () => ({}),
    // The token is in the URL so it is checked before any uploaded byte is stored.
    pageAction: (ctx, base, pageId, change) => `${base}/${pageId}?_csrf=${encodeURIComponent(csrfToken(ctx))}${change ? '&change=1' : ''}`,
    checkPageCsrf: (ctx) => checkCsrf(ctx, ctx.query._csrf),
    readPage: async (ctx, fileFields) => {
      const limits = hub.config.server.limits;
      const parsed: MultipartResult = ctx.is('multipart/form-data')
        ? await parseMultipart(
            ctx.req,
            hub.store,
            (name) => {
              const f = fileFields.get(name);
              return f ? { accept: f.accept, maxSize: f.maxSize } : null;
            },
            { totalBytes: limits.multipartBytes, files: limits.files },
            { refusedFiles: 'report' },
          )
        : { fields: {}, files: [], refused: [], tooManyFiles: false };
      return {
        fields: parsed.fields,
        files: parsed.files.map((f) => ({
          documentId: f.documentId,
          fieldId: f.fieldId,
          name: f.name,
          contentType: f.contentType,
          size: f.size,
          sha256: f.blob.sha256,
          key: f.blob.key,
        })),
        refused: parsed.refused,
        tooManyFiles: parsed.tooManyFiles,
        discard: () => discardFiles(hub.store, parsed.files),
      };
    },
    checkSend: async (ctx) => checkCsrf(ctx, (await readForm(ctx))._csrf),
    csrf: (ctx) => csrfToken(ctx),
    send: async (_ctx, sv, session) => {
      const files = session.files.map((f) => ({
        documentId: f.documentId,
        fieldId: f.fieldId,
        name: f.name,
        contentType: f.contentType,
        size: f.size,
        blob: { key: f.key, sha256: f.sha256, size: f.size, created: false },
      }));
      const placed = placeSubmission(hub, sv, session.answers);
      const result = await submit(
        {
          db: hub.db,
          store: hub.store,
          publicBaseUrl: hub.config.server.publicBaseUrl,
          channels: new Set(Object.keys(hub.config.channels)),
          calendar: hub.councils.calendarOf(hub.catalogue, placed.serviceId),
          confirmationWindowSeconds: hub.config.notifications.confirmationWindowSeconds,
        },
        { service: placed, answers: session.answers, files },
      );
      return { reference: result.reference, trackingUrl: result.trackingUrl, processId: result.processId };
    },
    notice: (result) => confirmationNotice(hub.db, result.processId),
    outsideArea: (sv, page, answers) => outsideAreaPage(hub, sv, page, answers),
    saveAndReturn: (sv, pageId) => (offersSaveAndReturn(hub, sv) ? `/services/${sv.serviceId}/${SAVE_PAGE}?from=${encodeURIComponent(pageId)}` : null),
  };
}

async function readForm(ctx: Context): Promise<Record<string, string>> {
  const { default: getRawBody } = await import('raw-body');
  const raw = await getRawBody(ctx.req, { limit: 64 * 1024, encoding: 'utf8' });
  return Object.fromEntries(new URLSearchParams(raw));
}
