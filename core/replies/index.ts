// Citizens' replies and further evidence (issue 18): the message a citizen sends from the tracking page while their
// case is open, and its update deliveries to the back offices whose connectors take updates (deliverUpdate).
export { sendCitizenMessage, type SendMessageDeps, type SendMessageInput, type SendMessageOutcome } from './send-message.ts';
export { messageRules, messageErrors, MESSAGE_MAX_CHARS, type MessageRules } from './message-rules.ts';
export { deliverUpdateOnce, type DeliverUpdateDeps, type UpdateOutcome } from './deliver-update.ts';
export { replayUpdates } from './replay.ts';
export { findMessagesOf, findDeadUpdates, type MessageRecord, type MessageFile } from './replies-repo.ts';
