// Back-office reads: a process, its documents (form copy, evidence, XML sent) and their bytes.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { erasedAtOf, GoneError } from '../../governance/index.ts';
import { auditDocumentDownload, findDocumentsOf, findDocumentWithContent } from '../../documents/documents-repo.ts';
import { loadProcessFor, processView, toDocumentView } from '../../processes/index.ts';
import { findMessagesOf } from '../../replies/index.ts';
import { documentUrl } from '../../documents/index.ts';
import { clientOf } from '../auth.ts';
import { attachmentDisposition } from '../content-disposition.ts';
import { defineRoute } from '../route.ts';
import { documentView, processIdParams, processView as processSchema } from '../schemas.ts';

const messageView = z.object({
  id: z.uuid(),
  text: z.string().describe('What the citizen wrote (may be empty when they only sent files)'),
  sentAt: z.iso.datetime(),
  documents: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      contentType: z.string(),
      size: z.number().int(),
      sha256: z.string(),
      url: z.string().describe('GET it with your API key'),
    }),
  ),
  updates: z
    .array(
      z.object({
        binding: z.string(),
        status: z.enum(['pending', 'queued', 'delivering', 'delivered', 'dead']).describe("pending waits for the case's own delivery to that binding"),
        attempts: z.number().int(),
        externalRef: z.string().nullable(),
      }),
    )
    .describe('One per binding whose connector takes updates'),
});

export function processRoutes(hub: Hub) {
  const councilOf = (serviceId: string) => hub.councils.idOfService(hub.catalogue, serviceId);
  const base = () => hub.config.server.publicBaseUrl;
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/processes/{id}',
      operationId: 'getProcess',
      summary: 'A process with its answers, tasks, deliveries and documents',
      tags: ['Processes'],
      auth: 'api-key',
      params: processIdParams,
      responses: {
        200: {
          description: 'The process',
          schema: processSchema.extend({
            erasedAt: z.iso
              .datetime()
              .nullable()
              .describe('When the citizen\'s personal data was erased (answers then read "[erased]", documents are gone); null if it was not'),
          }),
        },
      },
      async handler(ctx, { params }) {
        const row = await loadProcessFor(hub.db, clientOf(ctx), params.id, councilOf);
        const [view, erasedAt] = await Promise.all([processView(hub.db, hub.catalogue, base(), row), erasedAtOf(hub.db, row.id)]);
        ctx.body = { ...view, erasedAt: erasedAt?.toISOString() ?? null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/documents',
      operationId: 'listDocuments',
      summary: "A process's documents: the submitted form (JSON and HTML), evidence files, the XML sent and documents from the council",
      tags: ['Documents'],
      auth: 'api-key',
      params: processIdParams,
      responses: { 200: { description: 'Documents', schema: z.object({ documents: z.array(documentView) }) } },
      async handler(ctx, { params }) {
        const row = await loadProcessFor(hub.db, clientOf(ctx), params.id, councilOf);
        const docs = await findDocumentsOf(hub.db, row.id);
        ctx.body = { documents: docs.map((d) => toDocumentView(base(), d)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/messages',
      operationId: 'listMessages',
      summary: "The citizen's messages on a process: replies and further evidence sent from the tracking page",
      description:
        "Oldest first, each with its files (fetch them like any document) and where its update deliveries to back offices are. A new message also moves the process's `updatedAt`, so `GET /api/v1/processes?updatedSince=` reports it.",
      tags: ['Processes'],
      auth: 'api-key',
      params: processIdParams,
      responses: { 200: { description: 'Messages', schema: z.object({ messages: z.array(messageView) }) } },
      async handler(ctx, { params }) {
        const row = await loadProcessFor(hub.db, clientOf(ctx), params.id, councilOf);
        const messages = await findMessagesOf(hub.db, row.id);
        ctx.body = {
          messages: messages.map((m) => ({
            id: m.id,
            text: m.text,
            sentAt: m.sentAt.toISOString(),
            documents: m.documents.map((d) => ({ ...d, url: documentUrl(base(), row.id, d.id) })),
            updates: m.updates,
          })),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/documents/{documentId}',
      operationId: 'getDocument',
      summary: "A document's bytes, with its content type and file name",
      tags: ['Documents'],
      auth: 'api-key',
      params: processIdParams.extend({ documentId: z.string() }),
      responses: {
        200: {
          description: "The bytes, as the document's own type (image/png, application/pdf, text/html for the form copy, application/xml…)",
          contentType: '*/*',
        },
        410: { description: 'The process was erased: its documents are gone' },
      },
      async handler(ctx, { params }) {
        const client = clientOf(ctx);
        const row = await loadProcessFor(hub.db, client, params.id, councilOf);
        const doc = /^[0-9a-f-]{36}$/i.test(params.documentId) ? await findDocumentWithContent(hub.db, row.id, params.documentId) : null;
        if (!doc) throw new NotFoundError('There is no such document');
        // Every download is in the audit log (in the same round trip that finds out whether the process was erased).
        const state = await auditDocumentDownload(hub.db, {
          actor: `api-client:${client.name}`,
          processId: row.id,
          documentId: doc.id,
          detail: JSON.stringify({ kind: doc.kind }),
        });
        if (state?.erased_at) throw new GoneError(`The documents of this process were erased on ${state.erased_at.toISOString()}`);
        ctx.type = doc.contentType;
        ctx.length = Number(doc.size);
        ctx.set('Content-Disposition', attachmentDisposition(doc.name));
        ctx.set('X-Content-Type-Options', 'nosniff');
        ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
        ctx.set('Digest', `sha-256=${Buffer.from(doc.sha256, 'hex').toString('base64')}`);
        ctx.body = doc.content ?? hub.store.stream(doc.storageKey!);
      },
    }),
  ];
}
