// The case page's "Add a document" form, posted as multipart/form-data: read here, before requireStaff, so the session's
// CSRF check sees the `_csrf` field as on every other form. Only a signed-in person's upload is read at all. The file is
// checked while it streams (its real type from its first bytes, its size) as a citizen's evidence is; a refused file is
// reported (not stored) so the page can say why with a GOV.UK error message. A stored file the route does not keep — the
// form had another error, the CSRF check or the role refused it — is removed once the request is over.
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { HttpError, PayloadTooLargeError } from '../../errors.ts';
import type { StaffState } from '../../staff/index.ts';
import { COUNCIL_DOCUMENT_RULE, megabytes, type UploadedFile } from '../../documents/index.ts';
import { BodyTooLargeError, discardFiles, parseMultipart, type RefusedFile } from '../multipart.ts';

export interface CaseDocumentUpload {
  file: UploadedFile | null;
  refused: RefusedFile | null;
  /** Set by the route when the document was added: the file is then the document's. */
  kept: boolean;
}

export const CASE_DOCUMENT_PATH = /^\/staff\/cases\/[0-9a-f-]{36}\/documents$/i;

export function readCaseDocumentUpload(hub: Hub): Koa.Middleware {
  return async (ctx, next) => {
    const session = (ctx.state as StaffState).staffSession;
    if (!session || session.stage !== 'signed-in') throw new HttpError(403, 'Forbidden', 'You are signed out. Sign in and try again.');
    if (!ctx.is('multipart/form-data')) throw new HttpError(415, 'Unsupported media type', 'Send the form as multipart/form-data');
    let parsed;
    try {
      // Twice the file limit: a file a little too large is read to its end, so the page can say so.
      parsed = await parseMultipart(
        ctx.req,
        hub.store,
        (name) => (name === 'file' ? COUNCIL_DOCUMENT_RULE : null),
        {
          totalBytes: 2 * COUNCIL_DOCUMENT_RULE.maxSize + 64 * 1024,
          files: 1,
          fields: 10,
          fieldBytes: 8 * 1024,
        },
        { refusedFiles: 'report' },
      );
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        ctx.set('Connection', 'close');
        throw new PayloadTooLargeError(`The selected file must be smaller than ${megabytes(COUNCIL_DOCUMENT_RULE.maxSize)}`);
      }
      throw err;
    }
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.fields)) fields[k] = Array.isArray(v) ? v[0]! : v;
    Object.assign(ctx.request, { body: fields });
    const upload: CaseDocumentUpload = { file: parsed.files[0] ?? null, refused: parsed.refused[0] ?? null, kept: false };
    (ctx.state as { caseDocumentUpload?: CaseDocumentUpload }).caseDocumentUpload = upload;
    try {
      await next();
    } finally {
      if (!upload.kept) await discardFiles(hub.store, parsed.files);
    }
  };
}

export function caseDocumentUploadOf(ctx: Koa.Context): CaseDocumentUpload {
  return (ctx.state as { caseDocumentUpload?: CaseDocumentUpload }).caseDocumentUpload ?? { file: null, refused: null, kept: false };
}
