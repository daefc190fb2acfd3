// Accepting a submission: validate, store the form copy, then write the process and everything that hangs off it
// (tasks, timeline, documents, delivery outbox, notification outbox) in ONE statement, so it commits whole or not at all.
import { createHash, randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ValidationError } from '../errors.ts';
import type { DocumentColumns, DocumentStore } from '../documents/index.ts';
import { formCopyHtml, formCopyJson } from '../documents/form-copy.ts';
import { validateAnswers, type ReceivedFile, type ServiceVersion } from '../services/index.ts';
import type { UploadedFile } from '../http/multipart.ts';
import { newReference } from './reference.ts';
import { newTrackingToken } from './tracking-token.ts';

export interface SubmitDeps {
  sequelize: Sequelize;
  store: DocumentStore;
  publicBaseUrl: string;
  /** Channel names that exist, so a notification row is only written for a channel that can send it. */
  channels: ReadonlySet<string>;
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

interface DocRow extends DocumentColumns {
  /** base64 of small generated documents kept inline. */
  content: string | null;
}

const INSERT_SUBMISSION = `
with p as (
  insert into processes (id, reference, service_id, service_version, status, answers, contact, submitted_at, updated_at)
  values ($1, $2, $3, $4, 'submitted', $6::jsonb, $7::jsonb, $8, $8)
  returning id
), k as (
  insert into tracking_tokens (hash, process_id, created_at) values ($5, $1, $8)
), t as (
  insert into tasks (process_id, key, title, position, status, updated_at)
  select $1, k.key, k.title, k.ord, 'open', $8 from unnest($9::text[], $10::text[]) with ordinality as k(key, title, ord)
), e as (
  insert into timeline_events (process_id, kind, visible_to_citizen, text, data, actor, created_at)
  values ($1, 'submitted', true, $11, '{}'::jsonb, 'citizen', $8)
), d as (
  insert into documents (id, process_id, kind, field_id, name, content_type, size, sha256, storage_key, content, created_at)
  select x.id, $1, x.kind, x.field_id, x.name, x.content_type, x.size, x.sha256, x.storage_key, decode(x.content, 'base64'), $8
  from jsonb_to_recordset($12::jsonb) as x(id uuid, kind text, field_id text, name text, content_type text, size bigint, sha256 text, storage_key text, content text)
), o as (
  insert into deliveries (id, process_id, binding, status, created_at, updated_at)
  select gen_random_uuid(), $1, b, 'pending', $8, $8 from unnest($13::text[]) as b
), n as (
  insert into notifications (id, process_id, channel, kind, status, updates, not_before, created_at, updated_at)
  select gen_random_uuid(), $1, c, 'submitted', 'pending', $14::jsonb, $8, $8, $8 from unnest($15::text[]) as c
)
select id from p`;

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
  const checked = validateAnswers(def, input.answers, filesByField, now);
  if (checked.errors.length) throw new ValidationError('The answers are not valid', checked.errors);
  // Files of questions hidden by a condition were not kept as answers: do not keep them as documents either.
  const keptIds = new Set(Object.values(checked.answers).flatMap((v) => (Array.isArray(v) ? v.map((x) => (x as { documentId?: string })?.documentId) : [])));
  const files = input.files.filter((f) => keptIds.has(f.documentId));

  const contact = {
    ...(def.contact.name && typeof checked.answers[def.contact.name] === 'string' ? { name: checked.answers[def.contact.name] as string } : {}),
    ...(def.contact.email && typeof checked.answers[def.contact.email] === 'string' ? { email: checked.answers[def.contact.email] as string } : {}),
    ...(def.contact.phone && typeof checked.answers[def.contact.phone] === 'string' ? { phone: checked.answers[def.contact.phone] as string } : {}),
  };
  const channel = def.notify.channel && deps.channels.has(def.notify.channel) && (contact.email || contact.phone) ? [def.notify.channel] : [];

  for (let attempt = 1; ; attempt++) {
    const processId = randomUUID();
    const reference = newReference(def.referencePrefix);
    const { token, hash } = newTrackingToken();
    const copy = { definition: def, version: service.version, reference, processId, submittedAt: now, answers: checked.answers };
    const inline = (kind: string, name: string, type: string, bytes: Buffer): DocRow => ({
      id: randomUUID(), kind, field_id: null, name, content_type: type, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), storage_key: null, content: bytes.toString('base64'),
    });
    const docs: DocRow[] = [
      inline('form-json', `${reference}.json`, 'application/json', formCopyJson(copy)),
      inline('form-html', `${reference}.html`, 'text/html', formCopyHtml(copy)),
      ...files.map((f) => ({ id: f.documentId, kind: 'evidence', field_id: f.fieldId, name: f.name, content_type: f.contentType, size: f.size, sha256: f.blob.sha256, storage_key: f.blob.key, content: null })),
    ];
    try {
      await deps.sequelize.query(INSERT_SUBMISSION, {
        type: QueryTypes.SELECT,
        bind: [
          processId,
          reference,
          def.id,
          service.version,
          hash,
          JSON.stringify(checked.answers),
          JSON.stringify(contact),
          now,
          def.tasks.map((t) => t.key),
          def.tasks.map((t) => t.title),
          'Sent online',
          JSON.stringify(docs),
          def.bindings,
          JSON.stringify([{ text: `We have received your ${def.title.toLowerCase()}.`, at: now.toISOString() }]),
          channel,
        ],
      });
      return { processId, reference, trackingToken: token, trackingUrl: `${deps.publicBaseUrl.replace(/\/$/, '')}/track/${token}` };
    } catch (err) {
      // A reference collision (1 in ~10^12 per pair) just draws another reference.
      const constraint = (err as { parent?: { constraint?: string } }).parent?.constraint;
      if (constraint === 'processes_reference_key' && attempt < 5) continue;
      throw err;
    }
  }
}
