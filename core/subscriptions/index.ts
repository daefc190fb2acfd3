// Outbound event subscriptions (issue 18): other systems (a CRM, a data warehouse) subscribe a URL to event types and
// receive each matching citizen-visible change as a signed Standard Webhook, through an outbox written in the change's
// own transaction (migration 020's timeline trigger), retried, dead-lettered and replayable.
export { EVENT_TYPES, EVENT_DESCRIPTIONS, type EventType } from './events.ts';
export { createSubscription, type SubscriptionInput, type SubscriptionCreator } from './create.ts';
export { sendEventOnce, type SendEventDeps, type SendOutcome } from './send-event.ts';
export {
  listSubscriptions,
  findSubscription,
  deleteSubscription,
  listSubscriptionDeliveries,
  recentDeliveriesOf,
  replaySubscriptionDelivery,
  type SubscriptionRecord,
  type SubscriptionDelivery,
  type CouncilScope,
} from './subscriptions-repo.ts';
