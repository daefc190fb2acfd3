// One delivery to Alloy, idempotent across retries: look for an item already carrying the delivery id (a retry after a
// lost answer finds it), otherwise upload the evidence first (a failed upload aborts before any item exists), create the
// item, then attach the files with the item's signature.
import { PermanentError, RetryableError, type DeliveryJob, type DeliveryResult } from '../../core/plugins/index.ts';
import { itemFieldsFromXml } from './attributes.ts';
import { alloyCodeOf, type AlloyClient, type AlloyItem } from './client.ts';
import { mappingFor, type AlloyConfig } from './config.ts';
import { equalsAttribute, itemsQuery } from './aqs.ts';

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
  let fileIds: string[] = [];
  if (!item) {
    fileIds = await uploadAll(client, documents);
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
  if (config.attachmentsAttribute && documents.length) {
    const already = attributeOf(item, config.attachmentsAttribute);
    // A PUT sets the attribute in one go: it is either empty (not attached yet) or complete.
    if (Array.isArray(already) && already.length) attached = already.length;
    else {
      if (!fileIds.length) fileIds = await uploadAll(client, documents);
      await attachFiles(client, item.itemId, config.attachmentsAttribute, fileIds);
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

async function uploadAll(client: AlloyClient, documents: DeliveryJob['documents']): Promise<string[]> {
  const ids: string[] = [];
  for (const d of documents) ids.push(await client.uploadFile(d.name, d.contentType, await d.read()));
  return ids;
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
