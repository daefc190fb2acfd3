// Where document bytes live. The filesystem store is the default; an object store implements the same interface.
import type { Readable } from 'node:stream';

export interface StoredBlob {
  /** Opaque key to read the blob back (content-addressed: the SHA-256). */
  key: string;
  sha256: string;
  size: number;
  /** False when identical bytes were already stored. */
  created: boolean;
}

/** A file a citizen sent: already in the store, it becomes one of the process's documents when the submission is accepted. */
export interface UploadedFile {
  documentId: string;
  fieldId: string;
  name: string;
  contentType: string;
  size: number;
  blob: StoredBlob;
}

export interface DocumentStore {
  put(content: Readable | Buffer, options?: { maxBytes?: number }): Promise<StoredBlob>;
  read(key: string): Promise<Buffer>;
  stream(key: string): Readable;
  /** Removes a blob; callers make sure no document row still points at it. */
  remove(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/** A documents row as SQL returns it (snake_case), shared by the code that writes and reads rows in raw SQL. */
export interface DocumentColumns {
  id: string;
  kind: string;
  field_id: string | null;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  /** Set for files in the document store; null for small documents kept inline. */
  storage_key: string | null;
}
