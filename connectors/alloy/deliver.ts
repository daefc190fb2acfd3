// One delivery to Alloy, idempotent across retries: look for an item already carrying the delivery id (a retry after a
// lost answer finds it), otherwise upload the evidence first (a failed upload aborts before any item exists), create the
// item, then attach the files with the item's signature. Nothing is uploaded or attached twice: an item whose
// attachments are set is done, and each file is uploaded under a name that marks it as this process's document, so a
// retry finds the files an earlier attempt uploaded (in Alloy a file is an item too) instead of uploading copies.
import { PermanentError, RetryableError, type DeliveryDocument, type DeliveryJob, type DeliveryResult } from '@closeloop/sdk';
import { itemFieldsFromXml } from './attributes.ts';
import { alloyCodeOf, asciiFileName, FILE_NAME_ATTRIBUTE, FILES_DESIGN, type AlloyClient, type AlloyItem } from './client.ts';
import { mappingFor, type AlloyConfig } from './config.ts';
import { anyOf, equalsAttribute, itemsQuery } from './aqs.ts';

export interface PreparedAlloy {
  config: AlloyConfig;
  client: AlloyClient;
}

export async function deliverToAlloy(job: DeliveryJob, { config, client }: PreparedAlloy): Promise<DeliveryResult> {
  // Reading the XML can fail only permanently (an unmapped value, a bad number): do it before talking to Alloy.
  const mapping = mappingFor(config, job.process.serviceId);
  const fields = itemFieldsFromXml(job.xml, mapping, config.namespaces);
  const documents = job.documents.filter((d) => (config.documentKinds as string[]).includes(d.kind));

  let item = await findByDeliveryId(client, config, mapping.designCode, job.deliveryId);
  const existed = item !== null;
  const attachmentsAttribute = config.attachmentsAttribute && documents.length ? config.attachmentsAttribute : null;
  // A PUT sets the attribute in one go: it is either empty (not attached yet) or complete.
  const already = item && attachmentsAttribute ? attributeOf(item, attachmentsAttribute) : undefined;
  const attachedBefore = Array.isArray(already) && already.length > 0;
  // Uploaded before the create, so a failed upload leaves no item behind. Without an attachments attribute a file
  // would be reachable from nothing: none is uploaded.
  const fileIds = attachmentsAttribute && !attachedBefore ? await fileIdsFor(client, job, documents) : [];
  if (!item) {
    const created = await client.createItem({
      designCode: mapping.designCode,
      collectionCode: config.collectionCode,
      attributes: [...fields.attributes, { attributeCode: config.deliveryIdAttribute, value: job.deliveryId }],
      ...(fields.geometry ? { geometry: fields.geometry } : {}),
      ...(config.parents ? { parents: config.parents } : {}),
    });
    item = created.item;
    if (!item?.itemId) throw new PermanentError('Alloy created the item but returned no itemId');
  }

  let attached = 0;
  if (attachmentsAttribute) {
    if (attachedBefore) attached = (already as unknown[]).length;
    else {
      await attachFiles(client, item.itemId, attachmentsAttribute, fileIds);
      attached = fileIds.length;
    }
  }
  return {
    externalRef: item.itemId,
    responseExcerpt: `item ${item.itemId} in ${mapping.designCode}${existed ? ' (found by delivery id)' : ''}; ${attached} file(s) attached`,
    detail: { itemId: item.itemId, existed, files: attached },
  };
}

async function findByDeliveryId(client: AlloyClient, config: AlloyConfig, designCode: string, deliveryId: string): Promise<AlloyItem | null> {
  const aqs = itemsQuery(designCode, config.collectionCode, [equalsAttribute(config.deliveryIdAttribute, deliveryId)]);
  const { results } = await client.query(aqs, 1, 2);
  return results?.[0] ?? null;
}

/**
 * The name a document is uploaded under: the process reference and the start of the document's id, then its own name.
 * Officers see which case a file belongs to, and a retry can find the file again by this name.
 */
export function uploadName(job: { process: { reference: string } }, document: Pick<DeliveryDocument, 'id' | 'name'>): string {
  return `${job.process.reference}-${document.id.slice(0, 8)} ${document.name}`;
}

/** A file item id per document: the one an earlier attempt uploaded, or a fresh upload. */
export async function fileIdsFor(client: AlloyClient, job: { process: { reference: string } }, documents: DeliveryDocument[]): Promise<string[]> {
  const names = documents.map((d) => uploadName(job, d));
  const uploaded = await findUploaded(client, names);
  const ids: string[] = [];
  for (const [i, d] of documents.entries()) ids.push(uploaded.get(names[i]!) ?? (await client.uploadFile(names[i]!, d.contentType, await d.read())));
  return ids;
}

/** Files already in Alloy under these names (one query), by name; the oldest wins if a name is there twice. */
async function findUploaded(client: AlloyClient, names: string[]): Promise<Map<string, string>> {
  // Alloy keeps either the UTF-8 name (filename*) or its ASCII fallback (filename): look for both.
  const nameOf = new Map<string, string>();
  for (const n of names) {
    nameOf.set(n, n);
    nameOf.set(asciiFileName(n), n);
  }
  const aqs = itemsQuery(FILES_DESIGN, 'Live', [anyOf([...nameOf.keys()].map((v) => equalsAttribute(FILE_NAME_ATTRIBUTE, v)))]);
  const { results } = await client.query(aqs, 1, Math.min(100, nameOf.size * 2));
  const found = new Map<string, string>();
  for (const file of results ?? []) {
    const stored = attributeOf(file, FILE_NAME_ATTRIBUTE);
    const name = typeof stored === 'string' ? nameOf.get(stored) : undefined;
    if (name && !found.has(name)) found.set(name, file.itemId);
  }
  return found;
}

/** PUT with the item's signature; on a signature mismatch (someone edited it meanwhile) refetch and try once more. */
async function attachFiles(client: AlloyClient, itemId: string, attributeCode: string, fileIds: string[]): Promise<void> {
  let { item } = await client.getItem(itemId);
  for (let attempt = 1; ; attempt++) {
    try {
      await client.updateItem(itemId, { attributes: [{ attributeCode, value: fileIds }], signature: item.signature });
      return;
    } catch (err) {
      if (alloyCodeOf(err) !== 'ItemSignatureMismatch') throw err;
      if (attempt === 2) throw new RetryableError(`Alloy item ${itemId} kept changing while its files were attached`, { cause: err });
      ({ item } = await client.getItem(itemId));
    }
  }
}

export function attributeOf(item: AlloyItem, attributeCode: string): unknown {
  return item.attributes?.find((a) => a.attributeCode === attributeCode)?.value;
}
