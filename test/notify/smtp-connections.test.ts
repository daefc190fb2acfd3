// The SMTP channel keeps its pooled connections for messagesPerConnection messages (default 1000). nodemailer's own
// default of 100 made one message in a hundred wait for a new connection's set-up (the greeting alone is 100 ms from
// smtp-server): the note → e-mail p99 of issue 21.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { channel as smtp } from '../../plugins/channels/smtp/index.ts';
import { smtpConfigSchema } from '../../plugins/channels/smtp/config.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import type { NotificationMessage } from '@closeloop/sdk';

type Context = Parameters<typeof smtp.send>[1];

const message = (i: number): NotificationMessage => ({
  notificationId: randomUUID(),
  to: { email: `resident${i}@example.com` },
  reference: `NSE-${String(i).padStart(8, '0')}`,
  serviceId: 'noise-complaint',
  serviceTitle: 'Report a noise problem',
  serviceNoun: 'noise report',
  trackingUrl: `http://127.0.0.1/track/${i}`,
  kind: 'update',
  updates: [{ text: `Update ${i}`, at: new Date().toISOString() }],
  council: { name: 'Example District Council' },
});

async function openChannel(peer: SmtpPeer, extra: Record<string, unknown> = {}): Promise<Context> {
  const config = smtpConfigSchema.parse({ host: '127.0.0.1', port: peer.port, from: 'council@example.gov.uk', ...extra });
  const context = {
    name: 'email',
    config,
    log: pino({ level: 'silent' }),
    publicBaseUrl: 'http://127.0.0.1',
    recordReceipt: async () => false,
  } as Omit<Context, 'state'> as Context;
  return { ...context, state: await smtp.open!(context) };
}

/** Sends n messages one after another (as a quiet hour does: each finds the last one's connection free). */
async function sendInTurn(context: Context, n: number) {
  for (let i = 0; i < n; i++) await smtp.send(message(i), context);
}

describe('SMTP channel: pooled connections', () => {
  let peer: SmtpPeer;
  before(async () => {
    peer = await startSmtpPeer();
  });
  after(async () => {
    await peer.close();
  });

  test('by default 150 messages in turn go over one connection', async () => {
    peer.messages.length = 0;
    const context = await openChannel(peer);
    try {
      await sendInTurn(context, 150);
    } finally {
      await smtp.close!(context.state);
    }
    assert.equal(peer.messages.length, 150);
    assert.equal(new Set(peer.messages.map((m) => m.connection)).size, 1);
  });

  test('messagesPerConnection closes a connection after that many messages and opens another', async () => {
    peer.messages.length = 0;
    const context = await openChannel(peer, { messagesPerConnection: 20 });
    try {
      await sendInTurn(context, 50);
    } finally {
      await smtp.close!(context.state);
    }
    const perConnection = new Map<string, number>();
    for (const m of peer.messages) perConnection.set(m.connection, (perConnection.get(m.connection) ?? 0) + 1);
    assert.deepEqual([...perConnection.values()], [20, 20, 10]);
  });
});
