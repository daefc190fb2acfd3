// What a council document may be: the same checks as a citizen's evidence (the real type sniffed from the bytes, a size
// cap enforced while storing), with the types councils send citizens (letters, notices, photos) and the citizen
// uploads' default size limit. Plain text is not among them: any bytes that are not binary pass as text. The REST API, the signed callback and the staff console all use this one rule.
import { INLINE_DOCUMENT_BYTES } from '@closeloop/sdk';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';
import { sniffContentType, SNIFF_BYTES, typeAccepted } from './sniff.ts';
import { BlobTooLargeError, type DocumentStore, type StoredBlob } from './store.ts';

export const COUNCIL_DOCUMENT_RULE = {
  accept: [
    'application/pdf',
    'image/jpeg',
    'image/png',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.oasis.opendocument.text',
  ],
  /** The same default as a citizen's file question (10 MB). */
  maxSize: 10 * 1024 * 1024,
} as const;

/** The accepted types as people name them, for error messages ("a PDF, JPG, PNG, text, Word or OpenDocument file"). */
export const COUNCIL_DOCUMENT_TYPES_TEXT = 'a PDF, JPG, PNG, Word (.docx) or OpenDocument text file';

/** The largest inline (base64) document a signed callback may carry; larger ones are sent as a URL. */
export const INLINE_DOCUMENT_MAX_BYTES = INLINE_DOCUMENT_BYTES;

export function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/**
 * Checks bytes received whole (a callback's inline content or a fetched URL) against the rule and stores them.
 * Throws 415 for a type not accepted, 413 over `maxSize`, 422 for an empty file.
 */
export async function storeCouncilFile(
  store: DocumentStore,
  bytes: Buffer,
  maxSize: number = COUNCIL_DOCUMENT_RULE.maxSize,
): Promise<{ blob: StoredBlob; type: string }> {
  if (bytes.length > maxSize) throw new PayloadTooLargeError(`The document is larger than ${megabytes(maxSize)}`, { field: 'file' });
  if (bytes.length === 0) throw new ValidationError('The document is empty', [{ field: 'file', message: 'The selected file is empty' }]);
  const type = await sniffContentType(bytes.subarray(0, SNIFF_BYTES));
  if (!type || !typeAccepted(type, COUNCIL_DOCUMENT_RULE.accept))
    throw new UnsupportedMediaTypeError(
      `The document's bytes are ${type ?? 'of no recognised type'}; it must be ${COUNCIL_DOCUMENT_TYPES_TEXT} (${COUNCIL_DOCUMENT_RULE.accept.join(', ')})`,
      { field: 'file' },
    );
  try {
    return { blob: await store.put(bytes, { maxBytes: maxSize }), type };
  } catch (err) {
    if (err instanceof BlobTooLargeError) throw new PayloadTooLargeError(`The document is larger than ${megabytes(maxSize)}`, { field: 'file' });
    throw err;
  }
}
