// What a back office's HTTP answer means for a delivery, decided once for every connector: 408, 429 and 5xx are worth
// retrying (after Retry-After when it says so), any other failure status is permanent.
import { PermanentError, RetryableError } from './errors.ts';

/** Retry-After beyond a day counts as a day: the binding's retry schedule, not the back office, decides when to give up. */
export const MAX_RETRY_AFTER_MS = 86_400_000;
/** Bytes of a back office's answer kept with an attempt (for operators). */
export const EXCERPT_BYTES = 2048;

/**
 * Retry-After as delay-seconds or an HTTP-date, in milliseconds from `now`, at most a day; undefined when absent,
 * past or unreadable. Takes a header value as Node (string or string[]) or fetch (string or null) gives it.
 */
export function retryAfterMs(value: string | readonly string[] | null | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : (value as string | null | undefined))?.trim();
  if (!v) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

/** 408 (timeout), 429 (too many requests) and every 5xx: the same request may succeed later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export interface StatusErrorOptions {
  /** The answer's Retry-After header, honoured for retryable statuses. */
  retryAfter?: string | readonly string[] | null;
  responseExcerpt?: string;
  cause?: unknown;
}

/** The error to throw for a failure status: RetryableError for 408, 429 and 5xx (with Retry-After), else PermanentError. */
export function errorForStatus(status: number, message: string, options: StatusErrorOptions = {}): PermanentError | RetryableError {
  const { responseExcerpt, cause } = options;
  if (isRetryableStatus(status)) return new RetryableError(message, { retryAfterMs: retryAfterMs(options.retryAfter), responseExcerpt, cause });
  return new PermanentError(message, { responseExcerpt, cause });
}

/** At most `maxBytes` of an answer as text, cut on a UTF-8 character boundary. */
export function responseExcerpt(body: Uint8Array | string, maxBytes = EXCERPT_BYTES): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.length <= maxBytes) return typeof body === 'string' ? body : bytes.toString('utf8');
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // don't split a UTF-8 sequence
  return bytes.subarray(0, end).toString('utf8');
}
