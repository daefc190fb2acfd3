// Request and response schemas of the public API. They validate requests and document responses in /openapi.json.
import { z } from 'zod';
import { categoryIds } from '../services/index.ts';

export const uuid = z.uuid();

export const submissionBody = z.strictObject({
  answers: z
    .record(z.string(), z.unknown())
    .describe(
      'Answers keyed by question id; see GET /api/v1/services/{serviceId} for the questions. By question type: text, textarea, email, phone: a string; number: a number (or a string of one); date: "YYYY-MM-DD"; datetime: "YYYY-MM-DDTHH:mm"; select, radios: the option\'s value; checkboxes: an array of option values; address: an object (line1, line2, town, postcode, uprn, easting, northing, latitude, longitude); location: a point or the uprn of the nearest address, with an optional description; money: pounds as a number (12.5) or a string ("12.50", "£1,250"), stored as a string with two decimal places ("1250.00"); declaration: true (also "yes"); list ("add another"): an array of objects, one per item, keyed by the list\'s question ids (`[{"name": "Ann", "age": 7}]`), each answer as its own type; an item with nothing in it is dropped, and a mistake in one is reported at list.index.question (`people.1.name`, index from 0). Content and exit pages take no answer. Answers to questions a goTo skips over, or hidden by showIf, are dropped; answers that lead to an exit page are refused (422, the error names the exit page).',
    ),
});

export const submissionMultipart = z
  .object({
    answers: z.string().optional().describe('All answers as one JSON object (alternative to one part per question).'),
  })
  .catchall(
    z
      .union([z.string(), z.array(z.string())])
      .describe(
        'An answer (part named by question id; address parts as id.line1, id.postcode…) or a file (part named by the file question id). An "add another" list goes in the answers part.',
      ),
  );

export const submissionCreated = z.object({
  processId: z.uuid(),
  reference: z.string().describe('Human reference, e.g. NOI-7KX3M9QP'),
  trackingUrl: z.url().describe('Secret link for the citizen; shown once.'),
});

export const serviceSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  category: z.enum(categoryIds()).optional().describe('The catalogue section the service is listed under; absent: "Other services"'),
  categoryLabel: z.string().optional().describe('The category as citizens read it ("Noise and nuisance")'),
  version: z.number().int(),
  url: z.string(),
});

export const taskView = z.object({
  key: z.string(),
  title: z.string(),
  status: z.enum(['open', 'in_progress', 'completed', 'cancelled']),
  updatedAt: z.iso.datetime(),
  dueAt: z.iso
    .datetime({ offset: true })
    .nullable()
    .describe('When the council aims to have it done: the end of that working day in the UK (23:59:59 Europe/London); null when the task has no target'),
  overdue: z.boolean().describe('The target date has passed and the task is not done (nor the case completed or closed)'),
});

export const documentView = z.object({
  id: z.uuid(),
  kind: z
    .enum(['form-json', 'form-html', 'evidence', 'xml', 'council'])
    .describe(
      'form-json/form-html: the submitted form; evidence: a file the citizen sent; xml: what was sent to the back office; council: a document the council added',
    ),
  fieldId: z.string().nullable(),
  name: z.string(),
  title: z.string().nullable().describe("A council document's title (null for other kinds, or none given)"),
  visibleToCitizen: z.boolean().describe('A council document the citizen can see and download from their tracking page (false for every other kind)'),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: z.iso.datetime(),
  url: z.string(),
});

export const processStatus = z.enum(['submitted', 'received', 'in_progress', 'completed', 'closed']);

export const processView = z.object({
  id: z.uuid(),
  reference: z.string(),
  serviceId: z.string(),
  serviceVersion: z.number().int(),
  serviceTitle: z.string(),
  status: processStatus,
  closedReason: z.string().nullable(),
  externalRef: z.string().nullable().describe("The back office's own reference, once delivered"),
  submittedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  answers: z.record(z.string(), z.unknown()),
  questions: z
    .array(z.object({ id: z.string(), label: z.string(), answer: z.string().nullable() }))
    .describe('The questions of the version this process was submitted with'),
  contact: z.record(z.string(), z.string()),
  tasks: z.array(taskView),
  deliveries: z.array(z.object({ binding: z.string(), status: z.string(), externalRef: z.string().nullable(), attempts: z.number().int() })),
  documents: z.array(documentView),
});

export const trackingView = z.object({
  reference: z.string(),
  serviceId: z.string(),
  serviceTitle: z.string(),
  status: processStatus,
  closedReason: z.string().nullable(),
  submittedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  tasks: z.array(taskView.extend({ description: z.string().optional() })),
  timeline: z
    .array(
      z.object({
        at: z.iso.datetime(),
        kind: z.string(),
        text: z.string(),
        message: z.string().optional().describe('What the citizen wrote, on their own messages (kind `message`)'),
      }),
    )
    .describe('Citizen-visible events, newest first'),
  documents: z.array(z.object({ name: z.string(), size: z.number().int() })).describe('Files the citizen sent'),
  councilDocuments: z
    .array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        title: z.string().nullable(),
        size: z.number().int(),
        contentType: z.string(),
        addedAt: z.iso.datetime(),
        url: z.string().describe('Where the citizen downloads it: /track/{token}/documents/{id}'),
      }),
    )
    .describe('Documents from the council, newest first (private documents are never listed)'),
});

export const processIdParams = z.object({ id: z.string().describe('Process id (UUID)') });
