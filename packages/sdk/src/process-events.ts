// The hub's signed callback: a back office that can send webhooks tells the hub about a note, a task or closing, signed
// with Standard Webhooks. Events carry the processId (or the back office's reference) and the same payloads as the
// REST API. A webhook-id seen before is acknowledged and ignored, atomically with the change it made the first time.
// Mount it with `routes.post('/events', (req) => handleProcessEvent(req, ctx, secrets))` and document it with
// `processEventsDoc`.
import { z } from 'zod';
import type { ConnectorContext } from './context.ts';
import { problem, type InboundRequest, type InboundResponse, type InboundRouteDoc } from './inbound.ts';
import { verifyWebhook, WebhookVerificationError } from './standard-webhooks.ts';

const target = {
  processId: z.string().optional().describe('Closeloop process id'),
  externalRef: z.string().optional().describe("The back office's own reference (from the delivery response)"),
};

export const processEventSchema = z.discriminatedUnion('type', [
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

export type ProcessEvent = z.infer<typeof processEventSchema>;

/** The OpenAPI description of the route (`path` as mounted, "/events" by default). */
export function processEventsDoc(path = '/events'): InboundRouteDoc {
  return {
    method: 'post',
    path,
    summary: 'Signed callback from the back office: add a note, update a task, close the process',
    description:
      'Signed with Standard Webhooks using the binding\'s secret: headers `webhook-id`, `webhook-timestamp` (Unix seconds, within 5 minutes) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. Identify the process by `processId` or by your own reference (`externalRef`). A `webhook-id` seen before is acknowledged (`duplicate: true`) and has no second effect.',
    body: processEventSchema,
    bodyExample: { type: 'task.updated', externalRef: 'SBX-42', taskKey: 'officer-visit', status: 'completed', note: 'The officer visited on 3 December.' },
    responses: {
      200: 'Applied (or a duplicate, acknowledged)',
      400: 'Not JSON, or not valid UTF-8',
      401: 'Missing, stale or wrong signature',
      404: 'No process of this binding matches',
      415: 'Not application/json in UTF-8',
      422: 'Not a valid event: a field is wrong or given twice, or text carries a character XML cannot (`errors` names it)',
    },
  };
}

/** Verifies, reads and applies one signed event for the binding of `ctx`; `secrets` may sign it (several: rotation). */
export async function handleProcessEvent(
  req: InboundRequest,
  ctx: ConnectorContext<unknown, unknown>,
  secrets: readonly (string | Buffer)[],
): Promise<InboundResponse> {
  let webhookId: string;
  try {
    webhookId = verifyWebhook([...secrets], req.headers, req.rawBody);
  } catch (err) {
    if (err instanceof WebhookVerificationError) return problem(401, 'Unauthorized', `The callback's signature was refused: ${err.message}`);
    throw err;
  }
  // The API's JSON rules: application/json in UTF-8, no duplicate key, no text XML cannot carry (refused by field).
  const json = req.json();
  if (!json.ok) return json.response;
  const parsed = processEventSchema.safeParse(json.value);
  if (!parsed.success) {
    return problem(422, 'Unprocessable content', 'The event is not valid', {
      errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })),
    });
  }
  const event = parsed.data;
  if (!event.processId && !event.externalRef)
    return problem(422, 'Unprocessable content', 'Give processId or externalRef', { errors: [{ field: 'processId', message: 'required' }] });
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
      result = await ctx.processes.updateTask(
        process.id,
        event.taskKey,
        { status: event.status, note: event.note, visibleToCitizen: event.visibleToCitizen },
        actor,
        options,
      );
      break;
    case 'process.closed':
      result = await ctx.processes.close(process.id, event.reason, actor, options);
      break;
  }
  return { status: 200, body: { processId: process.id, applied: result.applied, ...(result.applied ? {} : { duplicate: true }) } };
}
