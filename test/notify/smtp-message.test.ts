// What a real SMTP server receives from the SMTP channel: the envelope from the council's sender to the citizen, the
// Message-ID the channel reports as the provider's reference, both parts (the HTML one escaped) and the hub's headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { channel as smtp } from '../../plugins/channels/smtp/index.ts';
import { smtpConfigSchema } from '../../plugins/channels/smtp/config.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';

type Context = Parameters<typeof smtp.send>[1];

describe('SMTP channel: the message sent', () => {
  let peer: SmtpPeer;
  let context: Context;
  before(async () => {
    peer = await startSmtpPeer();
    const config = smtpConfigSchema.parse({ host: '127.0.0.1', port: peer.port, from: 'council@example.gov.uk', replyTo: 'noise@example.gov.uk' });
    const base = { name: 'email', config, log: pino({ level: 'silent' }), publicBaseUrl: 'http://127.0.0.1', recordReceipt: async () => false };
    context = { ...base, state: await smtp.open!(base as Omit<Context, 'state'> as Context) } as Context;
  });
  after(async () => {
    await smtp.close!(context.state);
    await peer.close();
  });

  test('a message reaches the server with its envelope, its Message-ID, both parts and the hub headers', async () => {
    const notificationId = randomUUID();
    const result = await smtp.send(
      {
        notificationId,
        to: { email: 'sam.resident@example.com', name: 'Sam Résident' },
        reference: 'NSE-00000042',
        serviceId: 'noise-complaint',
        serviceTitle: 'Report a noise problem',
        serviceNoun: 'noise report',
        trackingUrl: 'http://127.0.0.1/track/abc',
        kind: 'update',
        updates: [{ text: 'An officer will visit on 1 October 2026 & call you first.', at: new Date().toISOString() }],
        council: { name: 'Example District Council', senderEmail: 'environmental.health@example.gov.uk' },
      },
      context,
    );
    assert.equal(peer.messages.length, 1);
    const mail = peer.messages[0]!;
    assert.equal(mail.from, 'environmental.health@example.gov.uk');
    assert.deepEqual(mail.to, ['sam.resident@example.com']);
    assert.equal(result.status, 'sent');
    assert.equal(mail.headers['message-id'], result.providerRef);
    assert.match(String(result.providerRef), /^<[^<>@\s]+@[^<>\s]+>$/);
    assert.equal(mail.headers['x-closeloop-notification'], notificationId);
    assert.equal(mail.headers['x-closeloop-reference'], 'NSE-00000042');
    assert.equal(mail.headers['reply-to'], 'noise@example.gov.uk');
    assert.match(mail.headers.to ?? '', /sam\.resident@example\.com/);
    assert.match(mail.subject, /NSE-00000042/);
    assert.match(mail.text, /An officer will visit on 1 October 2026 & call you first\./);
    assert.match(mail.html, /An officer will visit on 1 October 2026 &amp; call you first\./);
  });
});
