// The helpers every connector needs, written once in @closeloop/sdk: the HTTP status rule, Retry-After, bounded
// excerpts, problem answers, constant-time secrets, and errors recognised by brand across copies of the SDK.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bearerToken,
  errorForStatus,
  isPermanentError,
  isRetryableError,
  isRetryableStatus,
  PermanentError,
  problem,
  responseExcerpt,
  RetryableError,
  retryAfterMs,
  secretMatches,
} from '@closeloop/sdk';

describe('errors by brand', () => {
  test('PermanentError and RetryableError (and subclasses) are recognised; other errors are not', () => {
    class Refused extends PermanentError {}
    assert.ok(isPermanentError(new PermanentError('x')) && isPermanentError(new Refused('x')));
    assert.ok(isRetryableError(new RetryableError('x')));
    assert.ok(!isPermanentError(new RetryableError('x')) && !isRetryableError(new PermanentError('x')));
    for (const other of [new Error('x'), null, undefined, 'PermanentError', { name: 'PermanentError' }]) {
      assert.ok(!isPermanentError(other) && !isRetryableError(other), String(other));
    }
  });

  test("another copy's errors carry the same brand (Symbol.for), so the hub needs no instanceof", () => {
    const fromAnotherCopy = Object.assign(new Error('refused'), { [Symbol.for('closeloop.error.permanent')]: true });
    assert.ok(isPermanentError(fromAnotherCopy));
    assert.ok(!(fromAnotherCopy instanceof PermanentError));
  });
});

describe('HTTP answers', () => {
  test('408, 429 and 5xx are retryable (with Retry-After); any other failure status is permanent', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) assert.ok(isRetryableStatus(status), String(status));
    for (const status of [300, 302, 400, 401, 403, 404, 409, 410, 413, 422]) assert.ok(!isRetryableStatus(status), String(status));
    const later = errorForStatus(503, 'busy', { retryAfter: '30', responseExcerpt: 'try later' });
    assert.ok(later instanceof RetryableError && later.retryAfterMs === 30_000 && later.responseExcerpt === 'try later');
    const dead = errorForStatus(422, 'refused', { retryAfter: '30', responseExcerpt: 'bad field' });
    assert.ok(dead instanceof PermanentError && dead.responseExcerpt === 'bad field' && dead.message === 'refused');
    assert.equal((errorForStatus(429, 'slow', { retryAfter: ['2', '9'] }) as RetryableError).retryAfterMs, 2000, 'the first of repeated headers');
  });

  test('retryAfterMs: seconds or an HTTP date, bounded to a day; nothing for nonsense, the past, null', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs('Wed, 01 Jan 2025 12:01:00 GMT', now), 60_000);
    assert.equal(retryAfterMs('999999', now), 86_400_000);
    for (const v of [null, undefined, '', 'soon', '0', '1.5', 'Wed, 01 Jan 2025 11:00:00 GMT']) assert.equal(retryAfterMs(v, now), undefined, String(v));
  });

  test('responseExcerpt keeps at most the bound, cut on a character boundary', () => {
    const text = `${'a'.repeat(2047)}é and more`;
    const cut = responseExcerpt(Buffer.from(text));
    assert.equal(cut, 'a'.repeat(2047), 'the two-byte é would straddle the bound: left out');
    assert.equal(responseExcerpt('short'), 'short');
    assert.equal(Buffer.byteLength(responseExcerpt('€'.repeat(1000), 100)), 99);
  });
});

describe('inbound answers and secrets', () => {
  test('problem() is RFC 9457 problem+json, with extra fields and headers', () => {
    assert.deepEqual(
      problem(422, 'Unprocessable content', 'The event is not valid', { errors: [{ field: 'text', message: 'required' }] }, { 'retry-after': '5' }),
      {
        status: 422,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '5' },
        body: {
          type: 'about:blank',
          title: 'Unprocessable content',
          status: 422,
          detail: 'The event is not valid',
          errors: [{ field: 'text', message: 'required' }],
        },
      },
    );
  });

  test('secretMatches compares exactly; absent, repeated or empty values never match', () => {
    assert.ok(secretMatches('s3cret-value', 's3cret-value'));
    for (const given of ['s3cret-valuE', 's3cret-valu', 's3cret-value ', undefined, null, ['s3cret-value']])
      assert.ok(!secretMatches(given, 's3cret-value'), String(given));
    assert.ok(!secretMatches('', ''), 'an unset secret matches nothing');
  });

  test('bearerToken reads "Bearer <token>" only', () => {
    assert.equal(bearerToken('Bearer abc.def'), 'abc.def');
    assert.equal(bearerToken('bearer  abc'), 'abc');
    for (const v of [undefined, 'abc', 'Basic abc', 'Bearer', 'Bearer a b']) assert.equal(bearerToken(v), undefined, String(v));
  });
});
