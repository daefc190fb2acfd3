// The body a webhook binding with `format: json` sends: declared as a schema so the configuration reference documents
// exactly what envelope() builds (its return type is this schema's).
import { z } from 'zod';

export const webhookJsonBodySchema = z.strictObject({
  deliveryId: z.uuid().describe('The delivery id: the same on every attempt, and also sent as webhook-id and Idempotency-Key'),
  binding: z.string().describe('The binding that sent it'),
  process: z
    .strictObject({
      id: z.uuid().describe('The process id (for the REST API: GET /api/v1/processes/{id})'),
      reference: z.string().describe("The citizen's reference, e.g. NOI-7KX3M9QP"),
      serviceId: z.string().describe('The service (form) it was submitted to'),
      serviceVersion: z.number().int().describe('The version of the service definition it was submitted with'),
      serviceTitle: z.string().describe("The service's title"),
      submittedAt: z.iso.datetime().describe('When the citizen submitted it (ISO 8601, UTC)'),
    })
    .describe('The process (case) on the hub'),
  answers: z
    .record(z.string(), z.unknown())
    .describe('The answers keyed by question id, as validated (an address is an object, a date an ISO date such as 2026-09-01)'),
  xml: z.string().describe("The service's XML, already validated against its XSD (what `format: xml` sends as the whole body)"),
  documents: z
    .array(
      z.strictObject({
        id: z.uuid().describe('The document id'),
        kind: z.string().describe('`evidence` (a file the citizen uploaded), `form-json` or `form-html` (copies of the submitted form)'),
        name: z.string().describe('The file name'),
        contentType: z.string().describe('Its media type'),
        size: z.number().int().describe('Its size in bytes'),
        sha256: z.string().describe('SHA-256 of its bytes, hex'),
        url: z.string().describe("Where to fetch it through the hub's API (with an API key that may see the service)"),
      }),
    )
    .describe('The documents of the process, to fetch through the API'),
});

export type WebhookJsonBody = z.infer<typeof webhookJsonBodySchema>;

/** The `citizen.message` event: a citizen's reply or further evidence on a case already delivered (always JSON). */
export const citizenMessageEventSchema = z.strictObject({
  type: z.literal('citizen.message').describe('The event type'),
  timestamp: z.iso.datetime().describe('When the event was made (ISO 8601, UTC)'),
  data: z.strictObject({
    updateId: z.uuid().describe('The update id: the same on every attempt, and also sent as webhook-id and Idempotency-Key'),
    binding: z.string().describe('The binding that sent it'),
    process: z.strictObject({
      id: z.uuid().describe('The process id'),
      reference: z.string().describe("The citizen's reference"),
      serviceId: z.string().describe('The service'),
      externalRef: z.string().nullable().describe('Your reference for the case, from the delivery that created it (null if you gave none)'),
    }),
    message: z.strictObject({
      id: z.uuid().describe('The message id (GET /api/v1/processes/{id}/messages lists them)'),
      text: z.string().describe('What the citizen wrote (up to 1,200 characters; may be empty when they only sent files)'),
      sentAt: z.iso.datetime().describe('When they sent it'),
    }),
    documents: z
      .array(
        z.strictObject({
          id: z.uuid(),
          name: z.string(),
          contentType: z.string(),
          size: z.number().int(),
          sha256: z.string(),
          url: z.string().describe("Where to fetch it through the hub's API (with an API key that may see the service)"),
        }),
      )
      .describe('The files sent with the message'),
  }),
});

export type CitizenMessageEvent = z.infer<typeof citizenMessageEventSchema>;
