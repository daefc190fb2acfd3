// "Add a document" on a case's page: a file (checked as a citizen's evidence is), an optional title and whether the
// citizen can see it. Errors are GOV.UK messages on the case page; a document the citizen can see is a change they are
// told about (citizen-changes), recorded as by the person.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { addCaseDocument, requireStaff, type StaffState } from '../../staff/index.ts';
import { COUNCIL_DOCUMENT_RULE, COUNCIL_DOCUMENT_TYPES_TEXT, megabytes } from '../../documents/index.ts';
import { MAX_DOCUMENT_TITLE } from '../../processes/index.ts';
import { caseDocumentUploadOf, readCaseDocumentUpload } from './case-document-upload.ts';
import { formBody } from './form-body.ts';

export interface CaseDocumentForm {
  title?: string;
  visibility?: string;
}

/** Shows the case page again with errors on the form (cases-routes.ts). */
export type SendCasePage = (
  ctx: Koa.Context,
  id: string,
  extra: { errors: Record<string, string>; document: CaseDocumentForm },
  status: number,
) => Promise<void>;

export function mountCaseDocuments(router: Router, hub: Hub, changers: Parameters<typeof requireStaff>, sendCasePage: SendCasePage): void {
  // Multipart: the body is read (size-limited, the file checked while it streams) before requireStaff checks its _csrf field.
  router.post('/cases/:id/documents', readCaseDocumentUpload(hub), requireStaff(...changers), async (ctx) => {
    const staff = (ctx.state as StaffState).staff!;
    const id = String(ctx.params.id);
    const body = formBody(ctx);
    const upload = caseDocumentUploadOf(ctx);
    const title = (body.title ?? '').trim();
    const errors: Record<string, string> = {};
    if (upload.refused?.reason === 'size') errors['document-file'] = `The selected file must be smaller than ${megabytes(COUNCIL_DOCUMENT_RULE.maxSize)}`;
    else if (upload.refused) errors['document-file'] = `The selected file must be ${COUNCIL_DOCUMENT_TYPES_TEXT}`;
    else if (!upload.file) errors['document-file'] = 'Select a file';
    if (title.length > MAX_DOCUMENT_TITLE) errors['document-title'] = `The title must be ${MAX_DOCUMENT_TITLE} characters or fewer`;
    if (body.visibility !== 'public' && body.visibility !== 'private') errors['document-visibility'] = 'Select whether the citizen can see the document';
    if (Object.keys(errors).length || !upload.file) return sendCasePage(ctx, id, { errors, document: { title: body.title, visibility: body.visibility } }, 400);
    const file = upload.file;
    await addCaseDocument(hub, staff, id, {
      name: file.name,
      title: title || null,
      contentType: file.contentType,
      blob: file.blob,
      visibleToCitizen: body.visibility === 'public',
    });
    upload.kept = true;
    ctx.redirect(`/staff/cases/${id}?done=${body.visibility === 'public' ? 'public-document' : 'document'}#documents`);
  });
}
