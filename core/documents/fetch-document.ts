// A document a back office gives by URL (a signed callback's `document.added`): fetched by the hub through the SSRF guard
// (loopback, private and link-local addresses refused unless the binding allows private networks), within a deadline,
// read no further than the size limit, redirects not followed (the back office gives the document's own address).
import { guardedFetch, SsrfError, TimeoutError } from '@closeloop/sdk';
import { PayloadTooLargeError, ValidationError } from '../errors.ts';
import { megabytes } from './council-file.ts';

export interface FetchDocumentOptions {
  maxBytes: number;
  allowPrivateNetwork?: boolean;
  timeoutMs?: number;
}

/** The document's bytes; 422 naming `url` when it cannot be fetched, 413 past `maxBytes`. */
export async function fetchDocument(url: string, options: FetchDocumentOptions): Promise<Buffer> {
  const refuse = (message: string) => new ValidationError(`The document could not be fetched from its URL: ${message}`, [{ field: 'url', message }]);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw refuse('it is not a URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw refuse('it must be an http or https URL');
  let answer;
  try {
    answer = await guardedFetch(target, {
      method: 'GET',
      timeoutMs: options.timeoutMs ?? 30_000,
      // One byte more than allowed tells a document that is too large from one that is exactly the limit.
      maxResponseBytes: options.maxBytes + 1,
      abortPastMaxBytes: true,
      allowPrivateNetwork: options.allowPrivateNetwork,
    });
  } catch (err) {
    if (err instanceof SsrfError || (err as { code?: string }).code === 'ERR_SSRF_REFUSED') throw refuse(`refused: ${(err as Error).message}`);
    if (err instanceof TimeoutError) throw refuse((err as Error).message);
    throw refuse(`${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (answer.body.length > options.maxBytes)
    throw new PayloadTooLargeError(`The document at the URL is larger than ${megabytes(options.maxBytes)}`, { field: 'url' });
  if (answer.status < 200 || answer.status > 299)
    throw refuse(
      `it answered HTTP ${answer.status}${answer.status >= 300 && answer.status < 400 ? ' (redirects are not followed: give the document’s own address)' : ''}`,
    );
  return answer.body;
}
