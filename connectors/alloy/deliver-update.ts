// A citizen's reply or further evidence on the Alloy item the delivery created (as open311-adapter's AlloyV2 does for
// updates): the message appended to the item's comment attribute, its files uploaded and added to the attachments
// attribute, in one PUT with the item's signature. Idempotent across retries: each message carries its update id in the
// comment, so a retry after a lost answer finds it there, and files are looked up by their upload name before any is
// uploaded, so none is uploaded twice.
import { PermanentError, RetryableError, type DeliveryResult, type UpdateJob } from '@closeloop/sdk';
import { alloyCodeOf, type AlloyItem } from './client.ts';
import { attributeOf, fileIdsFor, type PreparedAlloy } from './deliver.ts';

export async function deliverUpdateToAlloy(job: UpdateJob, { config, client }: PreparedAlloy): Promise<DeliveryResult> {
  const updates = config.updates;
  if (!updates) throw new PermanentError('this Alloy binding takes no updates (no updates.commentAttribute)');
  const itemId = job.process.externalRef;
  if (!itemId) throw new PermanentError('the case has no Alloy item id: its delivery gave no reference');
  const attachments = config.attachmentsAttribute && job.documents.length ? config.attachmentsAttribute : null;
  // Uploaded (or found from an earlier attempt) before the item is changed, so a failed upload changes nothing.
  const fileIds = attachments ? await fileIdsFor(client, job, job.documents) : [];
  let { item } = await client.getItem(itemId);
  for (let attempt = 1; ; attempt++) {
    const change = changeFor(item, job, updates.commentAttribute, attachments, fileIds);
    if (!change.length) return { externalRef: itemId, responseExcerpt: `item ${itemId} already has update ${job.updateId}` };
    try {
      await client.updateItem(itemId, { attributes: change, signature: item.signature });
      return { externalRef: itemId, responseExcerpt: `item ${itemId}: message appended; ${fileIds.length} file(s) attached` };
    } catch (err) {
      if (alloyCodeOf(err) !== 'ItemSignatureMismatch') throw err;
      if (attempt === 2) throw new RetryableError(`Alloy item ${itemId} kept changing while the update was added`, { cause: err });
      ({ item } = await client.getItem(itemId));
    }
  }
}

/** The attributes to PUT: the comment with this message appended, the attachments with its files added (none if done). */
function changeFor(
  item: AlloyItem,
  job: UpdateJob,
  commentAttribute: string,
  attachments: string | null,
  fileIds: string[],
): { attributeCode: string; value: unknown }[] {
  const change: { attributeCode: string; value: unknown }[] = [];
  const comment = attributeOf(item, commentAttribute);
  const existing = typeof comment === 'string' ? comment : '';
  if (!existing.includes(marker(job))) change.push({ attributeCode: commentAttribute, value: `${existing ? `${existing}\n\n` : ''}${entry(job)}` });
  if (attachments) {
    const current = attributeOf(item, attachments);
    const ids = Array.isArray(current) ? current.map(String) : [];
    const missing = fileIds.filter((id) => !ids.includes(id));
    if (missing.length) change.push({ attributeCode: attachments, value: [...ids, ...missing] });
  }
  return change;
}

function marker(job: UpdateJob): string {
  return `[update ${job.updateId}]`;
}

function entry(job: UpdateJob): string {
  const files = job.documents.length ? ` (${job.documents.length} file${job.documents.length === 1 ? '' : 's'} attached)` : '';
  return `${marker(job)} The citizen wrote on ${job.message.sentAt}${files}:\n${job.message.text}`;
}
