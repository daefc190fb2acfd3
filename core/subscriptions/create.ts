// Making a subscription: the URL must be http(s) and pass the SSRF guard (no loopback, private or link-local address)
// unless the subscription allows private networks, which only the hub operator may set; a council's admin makes
// subscriptions that see only its council's events. The signing secret is returned once and kept encrypted.
import { randomUUID } from 'node:crypto';
import { checkTargetUrl } from '@closeloop/sdk';
import type { Database } from '../db/database.ts';
import { ValidationError } from '../errors.ts';
import { insertSubscription, type SubscriptionRecord } from './subscriptions-repo.ts';
import { newSigningSecret } from './signing-secret.ts';
import type { EventType } from './events.ts';

export interface SubscriptionInput {
  url: string;
  events: EventType[];
  description?: string | null;
  allowPrivateNetwork?: boolean;
}

export interface SubscriptionCreator {
  /** "api-client:<name>" or "staff:<id>", as the audit log names actors. */
  actor: string;
  /** The creator's council (its events only), or null for the hub operator. */
  council: string | null;
}

export async function createSubscription(
  db: Database,
  input: SubscriptionInput,
  by: SubscriptionCreator,
): Promise<{ subscription: SubscriptionRecord; secret: string }> {
  const allowPrivateNetwork = input.allowPrivateNetwork ?? false;
  if (allowPrivateNetwork && by.council !== null) {
    throw new ValidationError('Only the hub operator may allow private networks', [
      { field: 'allowPrivateNetwork', message: "A council's admin may not allow a subscription to reach private networks" },
    ]);
  }
  const problems = await checkTargetUrl(input.url, { allowPrivateNetwork });
  if (problems.length) {
    const message = problems[0]!.replace('set allowPrivateNetwork on the binding', 'only the hub operator may allow private networks');
    throw new ValidationError('The subscription URL is refused', [{ field: 'url', message }]);
  }
  const { secret, encrypted } = await newSigningSecret(db);
  const subscription = await insertSubscription(db, {
    id: randomUUID(),
    url: input.url,
    events: [...new Set(input.events)],
    council: by.council,
    allowPrivateNetwork,
    description: input.description ?? null,
    createdBy: by.actor,
    secretEncrypted: encrypted,
  });
  return { subscription, secret };
}
