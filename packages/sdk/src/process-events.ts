// The hub's signed callback: a back office that can send webhooks tells the hub about a note, a task, closing or a document, signed
// with Standard Webhooks. Events carry the processId (or the back office's reference) and the same payloads as the
// REST API. A webhook-id seen before is acknowledged and ignored, atomically with the change it made the first time.
// Mount it with `routes.post('/events', (req) => handleProcessEvent(req, ctx, secrets), { maxBodyBytes: PROCESS_EVENT_MAX_BYTES })`
// and document it with `processEventsDoc`.
import { z } from 'zod';
import type { ConnectorContext } from './context.ts';
import { problem, type InboundRequest, type InboundResponse, type InboundRouteDoc } from './inbound.ts';
import { verifyWebhook, WebhookVerificationError } from './standard-webhooks.ts';

/** The largest document carried inline (contentBase64), decoded. */
export const INLINE_DOCUMENT_BYTES = 2 * 1024 * 1024;
const INLINE_BASE64_MAX_CHARS = Math.ceil(INLINE_DOCUMENT_BYTES / 3) * 4;
/** The body limit for the route that takes these events: room for an inline document of 2 MB in base64. */
export const PROCESS_EVENT_MAX_BYTES = INLINE_BASE64_MAX_CHARS + 64 * 1024;

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
  z.strictObject({
    type: z.literal('document.added'),
    ...target,
    visibleToCitizen: z.boolean().describe('true: the citizen is told and downloads it from their tracking page; false: staff and back offices only'),
    title: z.string().trim().min(1).max(200).optional().describe('Shown to the citizen: "Abatement notice"'),
    fileName: z.string().min(1).max(200).optional().describe("The file's name as downloaded (default: the URL's last segment)"),
    url: z.string().max(2000).optional().describe('Where the hub fetches the document (http or https; loopback and private addresses are refused)'),
    contentBase64: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'is not base64')
      .optional()
      .describe('The document itself, base64 (at most 2 MB decoded); give this or url'),
  }),
]);

export type ProcessEvent = z.infer<typeof processEventSchema>;

/** The OpenAPI description of the route (`path` as mounted, "/events" by default). */
export function processEventsDoc(path = '/events'): InboundRouteDoc {
  return {
    method: 'post',
    path,
    summary: 'Signed callback from the back office: add a note, update a task, close the process, add a document',
    description:
      'Signed with Standard Webhooks using the binding\'s secret: headers `webhook-id`, `webhook-timestamp` (Unix seconds, within 5 minutes) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. Identify the process by `processId` or by your own reference (`externalRef`). A `webhook-id` seen before is acknowledged (`duplicate: true`) and has no second effect. `document.added` carries the document as `url` (fetched by the hub through its SSRF guard: loopback, private and link-local addresses are refused unless the binding allows private networks; redirects are not followed) or as `contentBase64` (at most 2 MB); its real type is checked as a citizen\'s files are (PDF, JPG, PNG, Word, OpenDocument; at most 10 MB).',
    body: processEventSchema,
    bodyExample: { type: 'task.updated', externalRef: 'SBX-42', taskKey: 'officer-visit', status: 'completed', note: 'The officer visited on 3 December.' },
    responses: {
      200: 'Applied (or a duplicate, acknowledged)',
      400: 'Not JSON, or not valid UTF-8',
      401: 'Missing, stale or wrong signature',
      404: 'No process of this binding matches',
      410: "The process's personal data was erased: no document can be added",
      413: 'The body, or the document, is too large',
      415: 'Not application/json in UTF-8, or a document of a type not accepted',
      422: 'Not a valid event: a field is wrong or given twice, text carries a character XML cannot (`errors` names it), or the document URL is refused or cannot be fetched',
    },
  };
}

export interface ProcessEventOptions {
  /** A document.added URL may point at loopback and private addresses (the binding's allowPrivateNetwork). */
  allowPrivateNetwork?: boolean;
}

/** Verifies, reads and applies one signed event for the binding of `ctx`; `secrets` may sign it (several: rotation). */
export async function handleProcessEvent(
  req: InboundRequest,
  ctx: ConnectorContext<unknown, unknown>,
  secrets: readonly (string | Buffer)[],
  options: ProcessEventOptions = {},
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
  const change = { eventId: webhookId };
  let result: { applied: boolean };
  switch (event.type) {
    case 'note.added':
      result = await ctx.processes.addNote(process.id, { text: event.text, visibleToCitizen: event.visibleToCitizen }, actor, change);
      break;
    case 'task.updated':
      result = await ctx.processes.updateTask(
        process.id,
        event.taskKey,
        { status: event.status, note: event.note, visibleToCitizen: event.visibleToCitizen },
        actor,
        change,
      );
      break;
    case 'process.closed':
      result = await ctx.processes.close(process.id, event.reason, actor, change);
      break;
    case 'document.added': {
      if ((event.url === undefined) === (event.contentBase64 === undefined))
        return problem(422, 'Unprocessable content', 'Give the document as url or as contentBase64 (one of them)', {
          errors: [{ field: 'url', message: 'give exactly one of url and contentBase64' }],
        });
      const added = await ctx.processes.addDocument(
        process.id,
        {
          visibleToCitizen: event.visibleToCitizen,
          title: event.title,
          fileName: event.fileName,
          ...(event.url !== undefined ? { url: event.url, allowPrivateNetwork: options.allowPrivateNetwork } : {}),
          ...(event.contentBase64 !== undefined ? { content: Buffer.from(event.contentBase64, 'base64') } : {}),
        },
        actor,
        change,
      );
      result = added;
      if (added.documentId) return { status: 200, body: { processId: process.id, applied: true, documentId: added.documentId } };
      break;
    }
  }
  return { status: 200, body: { processId: process.id, applied: result.applied, ...(result.applied ? {} : { duplicate: true }) } };
}
