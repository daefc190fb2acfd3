// Streams a multipart/form-data body: text parts become answers, file parts go straight to the document store after
// their first bytes prove their real type. Limits are enforced while streaming, never after buffering a whole body.
import { newId } from '../db/ids.ts';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, BadRequestError } from '../errors.ts';
import { TextPartChecker } from './multipart-text.ts';
import { safeFileName } from '../documents/file-name.ts';
import { BlobTooLargeError, SNIFF_BYTES, sniffContentType, typeAccepted, type DocumentStore, type StoredBlob, type UploadedFile } from '../documents/index.ts';

export interface FileRule {
  accept: readonly string[];
  maxSize: number;
}

/** The whole body is over `limits.totalBytes` (a 413 like any other; the citizen pages tell it apart from a long field). */
export class BodyTooLargeError extends PayloadTooLargeError {}

/** A file not stored because of its type or size (only with `refusedFiles: 'report'`). */
export interface RefusedFile {
  fieldId: string;
  name: string;
  reason: 'type' | 'size';
}

export interface MultipartResult {
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
  /** Files refused for their type or size; empty unless asked for with `refusedFiles: 'report'`. */
  refused: RefusedFile[];
  /** More files were sent than `limits.files` (only with `refusedFiles: 'report'`; the files past the limit were not read). */
  tooManyFiles: boolean;
}

export interface MultipartOptions {
  /**
   * 'fail' (the API): a file of a refused type or size fails the whole request (415/413). 'report' (the citizen pages):
   * the file is left out and listed in `refused`, the rest of the body is read, so the page can be shown again with
   * everything else the citizen typed and an error on the file input.
   */
  refusedFiles?: 'fail' | 'report';
}

export interface MultipartLimits {
  totalBytes: number;
  files: number;
  fieldBytes?: number;
  fields?: number;
}

export { safeFileName } from '../documents/file-name.ts';

/**
 * Parses the request. `ruleFor(fieldName)` says whether a part named so may carry a file and its limits; a file part for any
 * other name is refused. On any failure, blobs this request created are removed again before the error propagates.
 */
export async function parseMultipart(
  req: IncomingMessage,
  store: DocumentStore,
  ruleFor: (fieldName: string) => FileRule | null,
  limits: MultipartLimits,
  options: MultipartOptions = {},
): Promise<MultipartResult> {
  const report = options.refusedFiles === 'report';
  const refused: RefusedFile[] = [];
  let tooManyFiles = false;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.totalBytes) {
    req.resume();
    throw new BodyTooLargeError(`The request body is larger than ${limits.totalBytes} bytes`);
  }
  const fields: Record<string, string | string[]> = {};
  const files: UploadedFile[] = [];
  const pending: Promise<void>[] = [];
  let failure: unknown = null;

  const fieldBytes = limits.fieldBytes ?? 64 * 1024;
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { files: limits.files, fields: limits.fields ?? 200, fieldSize: fieldBytes, parts: (limits.fields ?? 200) + limits.files },
    });
  } catch {
    throw new BadRequestError('The multipart body has no boundary');
  }

  const fail = (err: unknown) => {
    failure ??= err;
  };
  // Text parts' bytes: UTF-8 or refused (busboy would replace invalid bytes and decode other charsets silently).
  const textCheck = new TextPartChecker(TextPartChecker.boundaryOf(req.headers['content-type']) ?? '', fieldBytes);

  bb.on('field', (name, value, info) => {
    if (info.valueTruncated) return fail(new PayloadTooLargeError(`The field "${name}" is too long`));
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  });

  bb.on('file', (fieldName, stream, info) => {
    if (failure) {
      stream.resume();
      return;
    }
    const rule = ruleFor(fieldName);
    if (!rule) {
      stream.resume();
      return fail(new ValidationError('The submission is not valid', [{ field: fieldName, message: 'does not accept files' }]));
    }
    // An empty file input in an HTML form sends a part with no name and no bytes: ignore it.
    const name = safeFileName(info.filename);
    pending.push(
      receiveFile(stream, rule, store, info.mimeType).then(
        (received) => {
          if (!received) return;
          files.push({ documentId: newId(), fieldId: fieldName, name, contentType: received.type, size: received.blob.size, blob: received.blob });
          if (failure && received.blob.created) void store.remove(received.blob.key);
        },
        (err) => {
          if (report && (err instanceof BlobTooLargeError || err instanceof UnsupportedMediaTypeError)) {
            refused.push({ fieldId: fieldName, name, reason: err instanceof BlobTooLargeError ? 'size' : 'type' });
          } else if (err instanceof BlobTooLargeError)
            fail(new PayloadTooLargeError(`The file "${name}" is larger than ${rule.maxSize} bytes`, { field: fieldName }));
          else if (err instanceof UnsupportedMediaTypeError) fail(new UnsupportedMediaTypeError(`The file "${name}": ${err.message}`, { field: fieldName }));
          else fail(err);
        },
      ),
    );
  });
  bb.on('filesLimit', () => {
    if (report) tooManyFiles = true;
    else fail(new PayloadTooLargeError(`At most ${limits.files} files may be sent at once`));
  });
  bb.on('fieldsLimit', () => fail(new PayloadTooLargeError('Too many fields')));
  bb.on('partsLimit', () => fail(new PayloadTooLargeError('Too many parts')));

  let seen = 0;
  let cutOff = false;
  const finished = new Promise<void>((resolve) => {
    bb.on('close', resolve);
    bb.on('error', (err) => {
      fail(new BadRequestError(`The multipart body is malformed: ${(err as Error).message}`));
      resolve();
    });
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      textCheck.push(chunk);
      if (textCheck.problem) fail(textCheck.problem);
      // Whatever failed before, a body over the limit is not read on.
      if (seen > limits.totalBytes && !cutOff) {
        cutOff = true;
        fail(new BodyTooLargeError(`The request body is larger than ${limits.totalBytes} bytes`));
        req.unpipe(bb);
        req.resume();
        resolve();
      }
    });
    req.on('aborted', () => {
      fail(new BadRequestError('The request was aborted'));
      resolve();
    });
  });
  req.pipe(bb);
  await finished;
  await Promise.allSettled(pending);
  if (failure) {
    await discardFiles(store, files);
    throw failure;
  }
  return { fields, files, refused, tooManyFiles };
}

/** Removes blobs a rejected request created (never ones that already existed: another process may use the same bytes). */
export async function discardFiles(store: DocumentStore, files: UploadedFile[]): Promise<void> {
  await Promise.all(files.filter((f) => f.blob.created).map((f) => store.remove(f.blob.key)));
}

/** Client-declared types that name the same thing as a sniffed type. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'text/csv': 'text/plain',
};

/** Does the client's claim agree with the bytes? A generic claim (octet-stream, none) says nothing and passes. */
function claimMatches(claimed: string | undefined, real: string): boolean {
  const c = (claimed ?? '').toLowerCase().split(';')[0]!.trim();
  if (c === '' || c === 'application/octet-stream') return true;
  return (ALIASES[c] ?? c) === real;
}

async function receiveFile(
  stream: Readable,
  rule: FileRule,
  store: DocumentStore,
  claimed: string | undefined,
): Promise<{ blob: StoredBlob; type: string } | null> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }
  if (headBytes === 0) return null;
  const first = Buffer.concat(head);
  const real = await sniffContentType(first.subarray(0, SNIFF_BYTES));
  if (real && !claimMatches(claimed, real)) {
    if (!done) await drain(iterator);
    throw new UnsupportedMediaTypeError(`it was sent as ${claimed} but its bytes are ${real}`);
  }
  if (!real || !typeAccepted(real, rule.accept)) {
    if (!done) await drain(iterator);
    throw new UnsupportedMediaTypeError(
      real ? `its bytes are ${real}, which this question does not accept (${rule.accept.join(', ')})` : `its bytes are not one of ${rule.accept.join(', ')}`,
    );
  }
  async function* rest() {
    yield first;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const blob = await store.put(Readable.from(rest()), { maxBytes: rule.maxSize }).catch(async (err) => {
    // Keep reading (and discarding) the rest of the part so the parser can reach the end of the body.
    await drain(iterator);
    throw err;
  });
  return { blob, type: real };
}

async function drain(iterator: AsyncIterator<Buffer>): Promise<void> {
  try {
    while (!(await iterator.next()).done);
  } catch {
    // the request ended or failed: nothing left to drain
  }
}
