// Back-office reads: a process, its documents (form copy, evidence, XML sent) and their bytes.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { DocumentRow } from '../../db/index.ts';
import { loadProcessFor, processView, toDocumentView } from '../../processes/index.ts';
import { clientOf } from '../auth.ts';
import { defineRoute } from '../route.ts';
import { documentView, processIdParams, processView as processSchema } from '../schemas.ts';

export function processRoutes(hub: Hub) {
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
      responses: { 200: { description: 'The process', schema: processSchema } },
      async handler(ctx, { params }) {
        const row = await loadProcessFor(clientOf(ctx), params.id);
        ctx.body = await processView(hub.catalogue, base(), row);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/documents',
      operationId: 'listDocuments',
      summary: "A process's documents: the submitted form (JSON and HTML), evidence files and the XML sent",
      tags: ['Documents'],
      auth: 'api-key',
      params: processIdParams,
      responses: { 200: { description: 'Documents', schema: z.object({ documents: z.array(documentView) }) } },
      async handler(ctx, { params }) {
        const row = await loadProcessFor(clientOf(ctx), params.id);
        const docs = await DocumentRow.findAll({ where: { processId: row.id }, order: [['createdAt', 'ASC'], ['kind', 'ASC']] });
        ctx.body = { documents: docs.map((d) => toDocumentView(base(), d)) };
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
      responses: { 200: { description: 'The bytes', contentType: 'application/octet-stream' } },
      async handler(ctx, { params }) {
        const row = await loadProcessFor(clientOf(ctx), params.id);
        const doc = /^[0-9a-f-]{36}$/i.test(params.documentId) ? await DocumentRow.unscoped().findOne({ where: { id: params.documentId, processId: row.id } }) : null;
        if (!doc) throw new NotFoundError('There is no such document');
        ctx.type = doc.contentType;
        ctx.length = Number(doc.size);
        ctx.set('Content-Disposition', contentDisposition(doc.name));
        ctx.set('X-Content-Type-Options', 'nosniff');
        ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
        ctx.set('Digest', `sha-256=${Buffer.from(doc.sha256, 'hex').toString('base64')}`);
        ctx.body = doc.content ?? hub.store.stream(doc.storageKey!);
      },
    }),
  ];
}

/** RFC 6266 attachment header with an ASCII fallback and the UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
