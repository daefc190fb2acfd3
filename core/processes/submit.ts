// Accepting a submission: validate, store the form copy, then write the process and everything that hangs off it
// (tasks, timeline, documents, delivery outbox, notification outbox) in ONE statement, so it commits whole or not at all.
// Concurrent submissions share that statement and its commit (submission-writer.ts).
import { createHash } from 'node:crypto';
import { newId } from '../db/ids.ts';
import type { Database } from '../db/database.ts';
import { ValidationError } from '../errors.ts';
import type { DocumentStore, UploadedFile } from '../documents/index.ts';
import { formCopyHtml, formCopyJson } from '../documents/form-copy.ts';
import { serviceNoun, validateAnswers, type ReceivedFile, type ServiceVersion } from '../services/index.ts';
import { decideChannel, type CitizenContact } from '../citizen-changes/index.ts';
import { WorkingCalendar } from '../calendar/index.ts';
import type { AddressFinder } from '../address/index.ts';
import { newReference } from './reference.ts';
import { resolveAddresses } from './resolve-addresses.ts';
import { resolveLocations } from './resolve-locations.ts';
import { taskRowsAtSubmission } from './targets.ts';
import { newTrackingToken } from './tracking-token.ts';
import { submissionWriter, type SubmissionDocument } from './submission-writer.ts';

export interface SubmitDeps {
  db: Database;
  store: DocumentStore;
  publicBaseUrl: string;
  /** The channels configured in closeloop.yaml: the citizen's channel is decided against them, once, here. */
  channels: ReadonlySet<string>;
  /** The working days of the service's council, for the tasks' targets (default: England and Wales's bank holidays). */
  calendar?: WorkingCalendar;
  /** The config's notifications.confirmationWindowSeconds: how long the confirmation waits for the delivery (default 0). */
  confirmationWindowSeconds?: number;
  /**
   * The service's council's address finder, to check the UPRNs of address answers (the API's). Absent where the hub
   * itself read the addresses back from the provider (the citizen pages): their UPRNs are not looked up again.
   */
  addresses?: () => Promise<AddressFinder>;
}

export interface SubmitInput {
  service: ServiceVersion;
  answers: Record<string, unknown>;
  files: UploadedFile[];
  now?: Date;
}

export interface SubmitResult {
  processId: string;
  reference: string;
  trackingUrl: string;
  trackingToken: string;
}

const DEFAULT_CALENDAR = new WorkingCalendar({ bankHolidays: 'england-and-wales' });

/** Validates and stores a submission. Throws ValidationError (422) listing every problem; the caller discards uploaded blobs. */
export async function submit(deps: SubmitDeps, input: SubmitInput): Promise<SubmitResult> {
  const { service } = input;
  const def = service.definition;
  const now = input.now ?? new Date();

  const filesByField = new Map<string, ReceivedFile[]>();
  for (const f of input.files) {
    const list = filesByField.get(f.fieldId) ?? [];
    list.push({ documentId: f.documentId, name: f.name, contentType: f.contentType, size: f.size });
    filesByField.set(f.fieldId, list);
  }
  const validated = validateAnswers(def, input.answers, filesByField, now);
  if (validated.errors.length) throw new ValidationError('The answers are not valid', validated.errors);
  // Address answers: a UPRN checked against the provider (the API's), coordinates in Great Britain and completed.
  let checked = await resolveAddresses(def, validated.answers, deps.addresses);
  if (checked.errors.length) throw new ValidationError('The answers are not valid', checked.errors);
  // Locations from the API get their nearest address from the provider; the pages' were resolved as they were answered.
  if (deps.addresses) checked = await resolveLocations(def, checked.answers, deps.addresses);
  if (checked.errors.length) throw new ValidationError('The answers are not valid', checked.errors);
  // Files of questions hidden by a condition were not kept as answers: do not keep them as documents either.
  const keptIds = new Set(Object.values(checked.answers).flatMap((v) => (Array.isArray(v) ? v.map((x) => (x as { documentId?: string })?.documentId) : [])));
  const files = input.files.filter((f) => keptIds.has(f.documentId));

  const contact: CitizenContact = {
    ...(def.contact.name && typeof checked.answers[def.contact.name] === 'string' ? { name: checked.answers[def.contact.name] as string } : {}),
    ...(def.contact.email && typeof checked.answers[def.contact.email] === 'string' ? { email: checked.answers[def.contact.email] as string } : {}),
    ...(def.contact.phone && typeof checked.answers[def.contact.phone] === 'string' ? { phone: checked.answers[def.contact.phone] as string } : {}),
  };
  // Stored with the process: every later change tells the citizen through it (or not at all), without deciding again.
  const channel = decideChannel(def, deps.channels, contact);

  for (let attempt = 1; ; attempt++) {
    const processId = newId();
    const reference = newReference(def.referencePrefix);
    const { token, hash } = newTrackingToken();
    const copy = { definition: def, version: service.version, reference, processId, submittedAt: now, answers: checked.answers };
    const inline = (kind: string, name: string, contentType: string, text: string): SubmissionDocument => {
      const bytes = Buffer.from(text);
      return {
        id: newId(),
        kind,
        fieldId: null,
        name,
        contentType,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        storageKey: null,
        content: bytes,
      };
    };
    try {
      await submissionWriter(deps.db).write({
        processId,
        reference,
        serviceId: def.id,
        serviceVersion: service.version,
        answersJson: JSON.stringify(checked.answers),
        contactJson: JSON.stringify(contact),
        channel,
        at: now,
        trackingHash: hash,
        tasks: taskRowsAtSubmission(def.tasks, deps.calendar ?? DEFAULT_CALENDAR, now),
        timelineText: 'Sent online',
        documents: [
          inline('form-json', `${reference}.json`, 'application/json', formCopyJson(copy)),
          inline('form-html', `${reference}.html`, 'text/html', formCopyHtml(copy)),
          ...files.map((f) => ({
            id: f.documentId,
            kind: 'evidence',
            fieldId: f.fieldId,
            name: f.name,
            contentType: f.contentType,
            size: f.size,
            sha256: f.blob.sha256,
            storageKey: f.blob.key,
            content: null,
          })),
        ],
        bindings: def.bindings,
        confirmationText: `We have received your ${serviceNoun(def)}.`,
        confirmationWindowSeconds: deps.confirmationWindowSeconds ?? 0,
      });
      return { processId, reference, trackingToken: token, trackingUrl: `${deps.publicBaseUrl.replace(/\/$/, '')}/track/${token}` };
    } catch (err) {
      // A reference collision (1 in ~10^12 per pair) just draws another reference.
      const constraint = (err as { constraint?: string }).constraint;
      if (constraint === 'processes_reference_key' && attempt < 5) continue;
      throw err;
    }
  }
}
