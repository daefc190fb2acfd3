// Shared steps of the subscription tests: the two-council fixture hub (South owns noise, North owns pests) with a
// back-office receiver for case deliveries and a second receiver standing in for a subscriber (a CRM); submitting a case
// of each council; reading and verifying the events the subscriber received.
import assert from 'node:assert/strict';
import { verifyWebhook } from '@closeloop/sdk';
import type { ReceivedRequest, WebhookReceiver } from '../peers/webhook-receiver.ts';
import type { TestHub } from '../helpers/hub.ts';

export const CONFIG = 'test/fixtures/councils/closeloop.yaml';

export interface SubscriberEvent {
  type: string;
  timestamp: string;
  data: { eventId: number; processId: string; reference: string; serviceId: string; status: string; text?: string; detail?: Record<string, unknown> };
}

export async function submit(t: TestHub, council: 'south' | 'north'): Promise<{ processId: string; reference: string; trackingUrl: string }> {
  const [service, answers] =
    council === 'south'
      ? [
          'noise',
          {
            noiseType: 'music',
            description: 'Loud music from number 3',
            source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
            started: '2026-10-01',
            times: ['night'],
            email: 'south@example.com',
          },
        ]
      : ['pests', { pest: 'rats', email: 'north@example.com' }];
  const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { processId: string; reference: string; trackingUrl: string };
}

/** The subscriber's requests as events, each with whether its signature verifies with `secret`. */
export function eventsOf(receiver: WebhookReceiver, secret: string): { request: ReceivedRequest; event: SubscriberEvent; signed: boolean }[] {
  return receiver.requests.map((request) => {
    let signed = true;
    try {
      verifyWebhook(secret, new Headers(request.headers as Record<string, string>), request.body);
    } catch {
      signed = false;
    }
    return { request, event: JSON.parse(request.body) as SubscriberEvent, signed };
  });
}
