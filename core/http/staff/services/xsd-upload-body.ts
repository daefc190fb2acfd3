// The one staff form posted as multipart/form-data: an XSD upload. Read here, before requireStaff, so the session's CSRF
// check sees the `_csrf` field as on every other form. The file is kept in memory only up to the upload limit (plus one
// byte, to know it is over); the rest of a larger file is read and thrown away, so a 10 MB upload gets a clear message
// on the page instead of a broken connection. A body far over any sensible size is refused without reading it.
import type Koa from 'koa';
import busboy from 'busboy';
import { BadRequestError, HttpError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../../errors.ts';
import type { StaffState } from '../../../staff/index.ts';
import { safeFileName } from '../../multipart.ts';
import { XSD_UPLOAD_LIMIT } from '../../../xml/index.ts';

/** Past this, the body is refused (413) without reading it. */
const BODY_LIMIT = 32 * 1024 * 1024;

export interface XsdUpload {
  fileName: string;
  bytes: Buffer;
  /** The file was larger than XSD_UPLOAD_LIMIT (bytes holds only its start). */
  tooLarge: boolean;
}

/** Puts the text fields in ctx.request.body and the file in ctx.state.xsdUpload (null when no file was chosen). */
export function readXsdUpload(): Koa.Middleware {
  return async (ctx, next) => {
    // Only a signed-in person's upload is read at all (requireStaff then checks the role and the form's CSRF token).
    const session = (ctx.state as StaffState).staffSession;
    if (!session || session.stage !== 'signed-in') throw new HttpError(403, 'Forbidden', 'You are signed out. Sign in and try again.');
    if (!ctx.is('multipart/form-data')) throw new UnsupportedMediaTypeError('Send the upload as multipart/form-data');
    const declared = Number(ctx.get('content-length'));
    if (Number.isFinite(declared) && declared > BODY_LIMIT) {
      ctx.set('Connection', 'close');
      throw new PayloadTooLargeError('The selected file must be smaller than 1 MB');
    }
    const { fields, upload } = await parse(ctx);
    Object.assign(ctx.request, { body: fields });
    (ctx.state as { xsdUpload?: XsdUpload | null }).xsdUpload = upload;
    await next();
  };
}

export function xsdUploadOf(ctx: Koa.Context): XsdUpload | null {
  return (ctx.state as { xsdUpload?: XsdUpload | null }).xsdUpload ?? null;
}

function parse(ctx: Koa.Context): Promise<{ fields: Record<string, string>; upload: XsdUpload | null }> {
  return new Promise((resolvePromise, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: ctx.req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 20, fieldSize: 4096, parts: 21 } });
    } catch {
      reject(new BadRequestError('The upload has no multipart boundary'));
      return;
    }
    const fields: Record<string, string> = {};
    let upload: XsdUpload | null = null;
    let total = 0;
    bb.on('field', (name, value) => {
      if (!(name in fields)) fields[name] = value;
    });
    bb.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        total += chunk.length;
        if (tooLarge) return; // read and dropped: only the first bytes are kept
        if (size > XSD_UPLOAD_LIMIT) {
          tooLarge = true;
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => {
        // A file input left empty still sends a part with no name and no bytes.
        if (!info.filename && size === 0) return;
        upload = { fileName: safeFileName(info.filename), bytes: Buffer.concat(chunks), tooLarge };
      });
    });
    bb.on('error', () => reject(new BadRequestError('The upload could not be read')));
    bb.on('close', () => {
      if (total > BODY_LIMIT) reject(new PayloadTooLargeError('The selected file must be smaller than 1 MB'));
      else resolvePromise({ fields, upload });
    });
    ctx.req.pipe(bb);
  });
}
