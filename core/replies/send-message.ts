// A citizen's message from the tracking page: in one transaction, the message with its files, a citizen-visible
// timeline entry ("You sent a message…", through the single writer of citizen-visible changes, not told back to them),
// the audit entry and one update delivery per binding that takes updates (the outbox the worker sends from).
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { recordCitizenChange } from '../citizen-changes/index.ts';
import { hashTrackingToken } from '../processes/index.ts';
import { insertMessage, lockTrackedProcess, type MessageFile } from './replies-repo.ts';

export interface SendMessageDeps {
  db: Database;
  notifyWindowSeconds: number;
  /** Whether a binding's connector takes updates (declares deliverUpdate). */
  takesUpdates(binding: string): Promise<boolean>;
}

export interface SendMessageInput {
  token: string;
  text: string;
  files: MessageFile[];
}

export type SendMessageOutcome = { sent: true; messageId: string; processId: string; updates: number } | { sent: false; reason: 'not-found' | 'closed' };

export async function sendCitizenMessage(deps: SendMessageDeps, input: SendMessageInput): Promise<SendMessageOutcome> {
  return deps.db.transaction(async (tx) => {
    const p = await lockTrackedProcess(tx, hashTrackingToken(input.token));
    if (!p) return { sent: false, reason: 'not-found' } as const;
    if (p.status === 'closed' || p.erased) return { sent: false, reason: 'closed' } as const;
    const bindings: string[] = [];
    for (const b of p.bindings) if (await deps.takesUpdates(b)) bindings.push(b);
    const messageId = randomUUID();
    await insertMessage(tx, { id: messageId, processId: p.id, text: input.text, files: input.files, bindings });
    await recordCitizenChange({ db: deps.db, notifyWindowSeconds: deps.notifyWindowSeconds }, tx, {
      processId: p.id,
      actor: { kind: 'citizen', name: 'citizen' },
      entries: [
        { kind: 'message', text: timelineText(input.text, input.files.length), visibleToCitizen: true, data: { messageId, files: input.files.length } },
      ],
      audit: { action: 'message.sent', detail: { messageId, files: input.files.length, updates: bindings.length } },
      tell: false,
    });
    return { sent: true, messageId, processId: p.id, updates: bindings.length } as const;
  });
}

/** The timeline says what was sent, never the citizen's words (erasure keeps timeline texts; the words are in citizen_messages). */
function timelineText(text: string, files: number): string {
  const filesText = files === 1 ? '1 file' : `${files} files`;
  if (!text) return `You sent ${filesText}`;
  return files ? `You sent a message and ${filesText}` : 'You sent a message';
}
