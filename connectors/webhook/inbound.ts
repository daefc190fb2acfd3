// Signed callbacks from a webhook-style back office: POST /connectors/{binding}/events, verified with Standard Webhooks.
// Events carry the processId (or the back office's reference) and the same payloads as the REST API. A webhook-id seen
// before is acknowledged and ignored, atomically with the change it made the first time.
import { z } from 'zod';
import { readInboundJson, type ConnectorContext, type InboundRequest, type InboundResponse } from '../../core/plugins/index.ts';
import { verifyWebhook, WebhookVerificationError } from '../../core/webhooks/standard-webhooks.ts';
import type { WebhookConfig } from './config.ts';

const target = {
  processId: z.string().optional().describe('Closeloop process id'),
  externalRef: z.string().optional().describe("The back office's own reference (from the delivery response)"),
};

export const inboundEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('note.added'), ...target, text: z.string().min(1).max(5000), visibleToCitizen: z.boolean() }),
  z.strictObject({
    type: z.literal('task.updated'),
    ...target,
    taskKey: z.string().min(1),
    status: z.enum(['open', 'in_progress', 'completed', 'cancelled']),
    note: z.string().min(1).max(5000).optional(),
    visibleToCitizen: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('process.closed'), ...target, reason: z.string().min(1).max(2000) }),
]);

export type InboundEvent = z.infer<typeof inboundEventSchema>;

function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): InboundResponse {
  return { status, headers: { 'content-type': 'application/problem+json' }, body: { type: 'about:blank', title, status, detail, ...extra } };
}

export async function handleEvent(req: InboundRequest, ctx: ConnectorContext<WebhookConfig>): Promise<InboundResponse> {
  let webhookId: string;
  try {
    webhookId = verifyWebhook(ctx.config.inboundSecrets ?? [ctx.config.secret], req.headers, req.rawBody);
  } catch (err) {
    if (err instanceof WebhookVerificationError) return problem(401, 'Unauthorized', `The callback's signature was refused: ${err.message}`);
    throw err;
  }
  // The API's JSON rules: application/json in UTF-8, no duplicate key, no text XML cannot carry (refused by field).
  const json = readInboundJson(req);
  if (!json.ok) return json.response;
  const parsed = inboundEventSchema.safeParse(json.value);
  if (!parsed.success) {
    return problem(422, 'Unprocessable content', 'The event is not valid', { errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })) });
  }
  const event = parsed.data;
  if (!event.processId && !event.externalRef) return problem(422, 'Unprocessable content', 'Give processId or externalRef', { errors: [{ field: 'processId', message: 'required' }] });
  const process = await ctx.processes.find({ processId: event.processId, externalRef: event.externalRef });
  if (!process) return problem(404, 'Not found', 'No process of this binding has that id or reference');
  const actor = { name: ctx.name, kind: 'connector' as const };
  const options = { eventId: webhookId };
  let result: { applied: boolean };
  switch (event.type) {
    case 'note.added':
      result = await ctx.processes.addNote(process.id, { text: event.text, visibleToCitizen: event.visibleToCitizen }, actor, options);
      break;
    case 'task.updated':
      result = await ctx.processes.updateTask(process.id, event.taskKey, { status: event.status, note: event.note, visibleToCitizen: event.visibleToCitizen }, actor, options);
      break;
    case 'process.closed':
      result = await ctx.processes.close(process.id, event.reason, actor, options);
      break;
  }
  return { status: 200, body: { processId: process.id, applied: result.applied, ...(result.applied ? {} : { duplicate: true }) } };
}
