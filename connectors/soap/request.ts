// What the create call sends: the validated XML as it is (document mode), or named arguments read from it with XPath
// (arguments mode), plus the delivery id and, for inline attachments, the evidence files as base64.
import { PermanentError, type DeliveryDocument, type DeliveryJob } from '@closeloop/sdk';
import { parseXmlSafely, selectText } from '@closeloop/sdk/xml';
import type { SoapConfig } from './config.ts';
import { IDEMPOTENCY_KEY, type Args, type PreparedBinding } from './client.ts';
import { setPath } from './arguments.ts';

/** A parsed document as @closeloop/sdk/xml returns it. */
type Document = ReturnType<typeof parseXmlSafely>;
type AttachmentFields = { fileName: string; contentType: string; content: string };

/** The documents a binding sends, by kind (evidence only, unless configured). */
export function documentsToSend(job: DeliveryJob, config: SoapConfig): DeliveryDocument[] {
  if (config.attachments.mode === 'none') return [];
  const kinds = new Set<string>(config.attachments.kinds);
  return job.documents.filter((d) => kinds.has(d.kind));
}

/** One file as the WSDL's attachment element expects it. */
export async function attachmentElement(doc: DeliveryDocument, fields: AttachmentFields): Promise<Record<string, string>> {
  return { [fields.fileName]: doc.name, [fields.contentType]: doc.contentType, [fields.content]: (await doc.read()).toString('base64') };
}

function parseJobXml(job: DeliveryJob): Document {
  try {
    return parseXmlSafely(job.xml);
  } catch (err) {
    // Validated XML that does not parse again is a bug upstream, not something a retry fixes.
    throw new PermanentError(`the delivery's XML could not be read: ${(err as Error).message}`, { cause: err });
  }
}

export async function createArguments(job: DeliveryJob, binding: PreparedBinding): Promise<Args> {
  const { config } = binding;
  const doc = parseJobXml(job);
  const request = config.request;
  if (request.mode === 'document') {
    const root = doc.root()!;
    if (request.placement === 'body') {
      const want = binding.inputElement;
      const ns = root.namespace()?.href() ?? undefined;
      if (root.name() !== want.name || ns !== want.namespace) {
        throw new PermanentError(
          `request.placement body: the XML's root {${ns ?? ''}}${root.name()} is not ${config.operation}'s input element {${want.namespace ?? ''}}${want.name}; use placement "wrapped" or change the service's XML mapping`,
        );
      }
    }
    // `_xml` replaces the whole Body content, `$xml` the input element's content: soap inserts either as it is.
    const xml = root.toString(false);
    return { ...(request.placement === 'body' ? { _xml: xml } : { $xml: xml }), [IDEMPOTENCY_KEY]: job.deliveryId };
  }

  const args: Args = {};
  for (const [path, spec] of Object.entries(request.arguments)) {
    const value = typeof spec === 'string' ? selectText(doc, spec, request.namespaces) : spec.value;
    // An XPath that selects nothing (or an empty element) leaves the argument out: optional elements stay absent.
    if (value !== null && value !== '') setPath(args, path, value);
  }
  if (request.idempotencyArgument) setPath(args, request.idempotencyArgument, job.deliveryId);
  else args[IDEMPOTENCY_KEY] = job.deliveryId;

  const a = config.attachments;
  if (a.mode === 'inline') {
    const docs = documentsToSend(job, config);
    if (docs.length) setPath(args, a.argument, { [a.item]: await Promise.all(docs.map((d) => attachmentElement(d, a.fields))) });
  }
  return args;
}
