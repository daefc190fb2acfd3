export type { DocumentStore, StoredBlob, DocumentColumns, UploadedFile } from './store.ts';
export { documentUrl } from './url.ts';
export { BlobTooLargeError } from './store.ts';
export { FilesystemStore } from './filesystem-store.ts';
export { sniffContentType, typeAccepted, SNIFF_BYTES } from './sniff.ts';
export { COUNCIL_DOCUMENT_RULE, COUNCIL_DOCUMENT_TYPES_TEXT, INLINE_DOCUMENT_MAX_BYTES, megabytes, storeCouncilFile } from './council-file.ts';
export { fetchDocument } from './fetch-document.ts';
export { safeFileName } from './file-name.ts';
