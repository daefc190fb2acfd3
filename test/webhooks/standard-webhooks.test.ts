// Standard Webhooks signing and verification: the published test vector, rotation, tolerance, raw bytes, and agreement
// both ways with the `standardwebhooks` package (the reference implementation; see the SDK's standard-webhooks.ts for
// why ours signs and verifies).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  webhookKey,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '@closeloop/sdk';

// The vector checked in GROUND.md.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const AT_VECTOR = VECTOR.timestamp * 1000;
const vectorHeaders = (signature = VECTOR.signature, timestamp = String(VECTOR.timestamp)) => ({
  'webhook-id': VECTOR.id,
  'webhook-timestamp': timestamp,
  'webhook-signature': signature,
});

function refused(reason: WebhookVerificationReason) {
  return (err: unknown) => err instanceof WebhookVerificationError && err.reason === reason;
}

describe('signWebhook', () => {
  test('matches the Standard Webhooks test vector, from a string or a Buffer body', () => {
    assert.equal(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature);
    assert.equal(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, Buffer.from(VECTOR.body)), VECTOR.signature);
    assert.equal(signWebhook(webhookKey(VECTOR.secret), VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature);
  });

  test('webhookHeaders signs for the current second', () => {
    const h = webhookHeaders(VECTOR.secret, VECTOR.id, VECTOR.body, AT_VECTOR + 999);
    assert.deepEqual(h, vectorHeaders());
  });
});

describe('verifyWebhook', () => {
  test('accepts the vector and returns the webhook-id', () => {
    assert.equal(verifyWebhook(VECTOR.secret, vectorHeaders(), Buffer.from(VECTOR.body), { now: AT_VECTOR }), VECTOR.id);
  });

  test('reads headers from a fetch Headers object too', () => {
    assert.equal(verifyWebhook(VECTOR.secret, new Headers(vectorHeaders()), VECTOR.body, { now: AT_VECTOR }), VECTOR.id);
  });

  test('accepts any of several space-separated signatures (the sender rotating keys), ignoring other versions', () => {
    const other = signWebhook(generateWebhookSecret(), VECTOR.id, VECTOR.timestamp, VECTOR.body);
    const header = `v1a,abc ${other} ${VECTOR.signature}`;
    assert.equal(verifyWebhook(VECTOR.secret, vectorHeaders(header), Buffer.from(VECTOR.body), { now: AT_VECTOR }), VECTOR.id);
  });

  test('accepts any of several secrets (our own rotation)', () => {
    assert.equal(verifyWebhook([generateWebhookSecret(), VECTOR.secret], vectorHeaders(), Buffer.from(VECTOR.body), { now: AT_VECTOR }), VECTOR.id);
  });

  test('refuses missing headers', () => {
    for (const drop of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers: Record<string, string> = vectorHeaders();
      delete headers[drop];
      assert.throws(() => verifyWebhook(VECTOR.secret, headers, Buffer.from(VECTOR.body), { now: AT_VECTOR }), refused('missing-headers'), drop);
    }
  });

  test('refuses timestamps outside the tolerance, either way, and non-numeric ones', () => {
    const body = Buffer.from(VECTOR.body);
    assert.equal(verifyWebhook(VECTOR.secret, vectorHeaders(), body, { now: AT_VECTOR + 300_000 }), VECTOR.id, 'exactly 5 minutes is fine');
    assert.throws(() => verifyWebhook(VECTOR.secret, vectorHeaders(), body, { now: AT_VECTOR + 301_000 }), refused('stale'));
    assert.throws(() => verifyWebhook(VECTOR.secret, vectorHeaders(), body, { now: AT_VECTOR - 301_000 }), refused('future'));
    assert.throws(() => verifyWebhook(VECTOR.secret, vectorHeaders(), body, { now: AT_VECTOR + 61_000, toleranceSeconds: 60 }), refused('stale'));
    assert.throws(() => verifyWebhook(VECTOR.secret, vectorHeaders(VECTOR.signature, '1614265330.0'), body, { now: AT_VECTOR }), refused('bad-timestamp'));
  });

  test('refuses a wrong secret, a tampered body, a changed id and a truncated signature', () => {
    const body = Buffer.from(VECTOR.body);
    const now = { now: AT_VECTOR };
    assert.throws(() => verifyWebhook(generateWebhookSecret(), vectorHeaders(), body, now), refused('bad-signature'));
    assert.throws(() => verifyWebhook(VECTOR.secret, vectorHeaders(), Buffer.from('{"test": 2432232315}'), now), refused('bad-signature'));
    assert.throws(() => verifyWebhook(VECTOR.secret, { ...vectorHeaders(), 'webhook-id': 'msg_other' }, body, now), refused('bad-signature'));
    assert.throws(() => verifyWebhook(VECTOR.secret, vectorHeaders(VECTOR.signature.slice(0, 20)), body, now), refused('bad-signature'));
    assert.throws(() => verifyWebhook(VECTOR.secret, vectorHeaders(VECTOR.signature.replace('v1,', 'v2,')), body, now), refused('bad-signature'));
  });

  test('signs and verifies the raw bytes, not a re-encoded string', () => {
    const secret = generateWebhookSecret();
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]); // not valid UTF-8
    const headers = webhookHeaders(secret, 'msg_raw', raw);
    assert.equal(verifyWebhook(secret, headers, raw), 'msg_raw');
    assert.throws(() => verifyWebhook(secret, headers, Buffer.from(raw.toString('utf8'))), refused('bad-signature'));
  });
});

describe('secrets', () => {
  test('generateWebhookSecret makes whsec_ + base64 of 32 random bytes', () => {
    const a = generateWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(webhookKey(a).length, 32);
    assert.notEqual(a, generateWebhookSecret());
  });

  test('webhookKey refuses short or non-base64 secrets', () => {
    assert.throws(() => webhookKey('whsec_c2hvcnQ='), refused('bad-secret'));
    assert.throws(() => webhookKey('whsec_not base64 at all, not at all!!'), refused('bad-secret'));
    assert.throws(() => signWebhook('whsec_', 'id', 1, ''), refused('bad-secret'));
  });
});

describe('the standardwebhooks package agrees', () => {
  const bodies = [Buffer.from('{"test": 2432232314}'), Buffer.from('<Case xmlns="urn:x"><Reference>NOI-1</Reference></Case>'), randomBytes(3000)];

  test('it verifies what we sign (now, over the raw bytes)', () => {
    const secret = generateWebhookSecret();
    for (const [i, body] of bodies.entries()) {
      const headers = webhookHeaders(secret, `msg_${i}`, body);
      assert.doesNotThrow(() => new Webhook(secret).verify(body, headers, { jsonParse: false }), `body ${i}`);
      assert.throws(() => new Webhook(generateWebhookSecret()).verify(body, headers, { jsonParse: false }), /No matching signature/);
    }
  });

  test('we verify what it signs, and sign as it does', () => {
    const secret = generateWebhookSecret();
    const wh = new Webhook(secret);
    const now = new Date();
    for (const [i, body] of bodies.entries()) {
      const signature = wh.sign(`msg_${i}`, now, body);
      const seconds = Math.floor(now.getTime() / 1000);
      assert.equal(signWebhook(secret, `msg_${i}`, seconds, body), signature);
      const headers = { 'webhook-id': `msg_${i}`, 'webhook-timestamp': String(seconds), 'webhook-signature': signature };
      assert.equal(verifyWebhook(secret, headers, body), `msg_${i}`);
    }
  });
});
