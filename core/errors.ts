// Typed errors thrown anywhere in the hub; core/http/problem.ts maps them to RFC 9457 problem+json once.

export interface FieldError {
  /** Answer or body field the error is about, e.g. "noiseType" or "location.postcode". */
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? title);
    this.name = new.target.name;
  }
}

export class ValidationError extends HttpError {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(422, 'Unprocessable content', message, { errors });
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(400, 'Bad request', message, extra);
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Not found') {
    super(404, 'Not found', message);
  }
}

export class AuthError extends HttpError {
  constructor(message = 'A valid bearer API key is required') {
    super(401, 'Unauthorized', message, {}, { 'WWW-Authenticate': 'Bearer realm="closeloop"' });
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'This key may not act on this resource') {
    super(403, 'Forbidden', message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, 'Conflict', message);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(413, 'Payload too large', message, extra);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(415, 'Unsupported media type', message, extra);
  }
}

/** 410 Gone: the thing existed and was erased on purpose. */
export class GoneError extends HttpError {
  constructor(message: string) {
    super(410, 'Gone', message);
  }
}

export class TooManyRequestsError extends HttpError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'Too many requests', message, {}, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

export class ServiceUnavailableError extends HttpError {
  constructor(message: string, retryAfterSeconds = 5) {
    super(503, 'Service unavailable', message, {}, { 'Retry-After': String(retryAfterSeconds) });
  }
}
