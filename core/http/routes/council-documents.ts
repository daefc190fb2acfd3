// A back office adds a document to a process over the REST API (multipart: the file, whether the citizen may see it, an
// optional title). The file is checked as a citizen's evidence is — its real type sniffed from the bytes, its size capped
// while streaming — and a document visible to the citizen is a change they are told about (citizen-changes).
import type { Context } from 'koa';
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { UnsupportedMediaTypeError, ValidationError, type FieldError } from '../../errors.ts';
import { COUNCIL_DOCUMENT_RULE, type UploadedFile } from '../../documents/index.ts';
import { addCouncilDocument, checkProcessAccess, MAX_DOCUMENT_TITLE, toDocumentView } from '../../processes/index.ts';
import { clientOf } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { discardFiles, parseMultipart } from '../multipart.ts';
import { defineRoute, textProblems } from '../route.ts';
import { documentView, processIdParams } from '../schemas.ts';

const documentMultipart = z.object({
  file: z.string().describe(`The document (one file): ${COUNCIL_DOCUMENT_RULE.accept.join(', ')}; at most 10 MB. Its real type is read from its bytes.`),
  visibleToCitizen: z
    .enum(['true', 'false'])
    .describe('true: the citizen is told and can download it from their tracking page; false: staff and back offices only'),
  title: z.string().max(MAX_DOCUMENT_TITLE).optional().describe('What the document is, shown to the citizen: "Abatement notice"'),
});

const KNOWN_FIELDS = new Set(['visibleToCitizen', 'title']);

export function councilDocumentRoutes(hub: Hub) {
  const councilOf = (serviceId: string) => hub.councils.idOfService(hub.catalogue, serviceId);
  const deps = { db: hub.db, notifyWindowSeconds: hub.config.notifications.combineWindowSeconds };
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/processes/{id}/documents',
      operationId: 'addDocument',
      summary: 'Add a document for the citizen (or for the case only)',
      description:
        'multipart/form-data with one `file` part, `visibleToCitizen` (`true` or `false`) and an optional `title`. The file is checked as a citizen\'s files are: its real type from its bytes (415 unless PDF, JPG, PNG, Word .docx or OpenDocument text), at most 10 MB (413). A document visible to the citizen is listed on their tracking page under "Documents from the council", they are told by message, and the timeline says so; a private one never reaches them.',
      tags: ['Documents'],
      auth: 'api-key',
      idempotent: true,
      params: processIdParams,
      multipart: {
        schema: documentMultipart,
        description: 'The document and whether the citizen may see it',
        encoding: { file: { contentType: COUNCIL_DOCUMENT_RULE.accept.join(', ') } },
      },
      responses: {
        201: {
          description: 'The document was added',
          schema: documentView,
          example: {
            id: '0b6f7a52-3c1e-4a57-9d1b-2f6f1f0c9a11',
            kind: 'council',
            fieldId: null,
            name: 'abatement-notice.pdf',
            title: 'Abatement notice',
            visibleToCitizen: true,
            contentType: 'application/pdf',
            size: 48213,
            sha256: '9f2c…',
            createdAt: '2026-12-04T10:15:00.000Z',
            url: 'https://closeloop.example.gov.uk/api/v1/processes/5b0e8a4c-0d6f-4d8a-9a43-8f0f2b1d1c11/documents/0b6f7a52-3c1e-4a57-9d1b-2f6f1f0c9a11',
          },
        },
        410: { description: "The process's personal data was erased: no document can be added" },
      },
      async handler(ctx, { params }) {
        const client = clientOf(ctx);
        const id = await checkProcessAccess(hub.db, client, params.id, councilOf);
        const { file, visibleToCitizen, title } = await readDocumentUpload(hub, ctx);
        try {
          const fingerprint = { sha256: file.blob.sha256, name: file.name, visibleToCitizen, title };
          await idempotent(ctx, hub.db, client.id, fingerprint, async (transaction) => {
            const doc = await addCouncilDocument(
              deps,
              id,
              { name: file.name, title, contentType: file.contentType, blob: file.blob, visibleToCitizen },
              { name: client.name, kind: 'api-client' },
              { transaction },
            );
            ctx.set('Location', `/api/v1/processes/${id}/documents/${doc.id}`);
            return { status: 201, body: toDocumentView(hub.config.server.publicBaseUrl, doc) };
          });
        } catch (err) {
          await discardFiles(hub.store, [file]);
          throw err;
        }
      },
    }),
  ];
}

/** The multipart body: exactly one file, visibleToCitizen, an optional title; 422 naming each problem. */
async function readDocumentUpload(hub: Hub, ctx: Context): Promise<{ file: UploadedFile; visibleToCitizen: boolean; title: string | null }> {
  if (!ctx.is('multipart/form-data')) throw new UnsupportedMediaTypeError('Send multipart/form-data with the document as the part "file"');
  const { fields, files } = await parseMultipart(ctx.req, hub.store, (name) => (name === 'file' ? COUNCIL_DOCUMENT_RULE : null), {
    totalBytes: COUNCIL_DOCUMENT_RULE.maxSize + 64 * 1024,
    files: 1,
    fields: 10,
  });
  const errors: FieldError[] = [];
  for (const name of Object.keys(fields)) if (!KNOWN_FIELDS.has(name)) errors.push({ field: name, message: 'is not a known field' });
  const one = (name: string): string | undefined => {
    const v = fields[name];
    if (Array.isArray(v)) {
      errors.push({ field: name, message: 'appears more than once' });
      return undefined;
    }
    return v;
  };
  const visible = one('visibleToCitizen');
  const title = one('title')?.trim() || null;
  if (!files[0]) errors.push({ field: 'file', message: 'Attach the document as the part "file"' });
  if (visible !== 'true' && visible !== 'false') errors.push({ field: 'visibleToCitizen', message: 'must be true or false' });
  if (title && title.length > MAX_DOCUMENT_TITLE) errors.push({ field: 'title', message: `must be ${MAX_DOCUMENT_TITLE} characters or fewer` });
  if (title) errors.push(...textProblems(title, ['title']));
  if (errors.length) {
    await discardFiles(hub.store, files);
    throw new ValidationError('The document was not added', errors);
  }
  return { file: files[0]!, visibleToCitizen: visible === 'true', title };
}
