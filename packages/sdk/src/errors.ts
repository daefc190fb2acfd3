// The two failures a plugin throws. The hub recognises them by a brand (Symbol.for), not by `instanceof`: a connector
// installed from npm may carry its own copy of @closeloop/sdk, whose classes are not the hub's.

const PERMANENT = Symbol.for('closeloop.error.permanent');
const RETRYABLE = Symbol.for('closeloop.error.retryable');

/** A failure no retry can fix (bad request, schema mismatch, 4xx, SOAP client fault): the delivery is dead at once. */
export class PermanentError extends Error {
  readonly [PERMANENT] = true;
  readonly responseExcerpt?: string;
  constructor(message: string, options: { cause?: unknown; responseExcerpt?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PermanentError';
    this.responseExcerpt = options.responseExcerpt;
  }
}

/** A failure worth retrying; `retryAfterMs` (e.g. from Retry-After) delays the next attempt at least that long. */
export class RetryableError extends Error {
  readonly [RETRYABLE] = true;
  readonly retryAfterMs?: number;
  readonly responseExcerpt?: string;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number; responseExcerpt?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RetryableError';
    this.retryAfterMs = options.retryAfterMs;
    this.responseExcerpt = options.responseExcerpt;
  }
}

/** A PermanentError from any copy of the SDK (or a subclass of one). */
export function isPermanentError(err: unknown): err is PermanentError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[PERMANENT] === true;
}

/** A RetryableError from any copy of the SDK (or a subclass of one). */
export function isRetryableError(err: unknown): err is RetryableError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[RETRYABLE] === true;
}
