// Rolling back: a version that was live before (retired) is made the live version again. New submissions use it;
// cases already submitted keep the version they were submitted with (processes store their service_version).
import { ConflictError, NotFoundError } from '../errors.ts';
import { insertAuditEvent } from '../governance/audit-repo.ts';
import type { DesignerHub, Editor } from './drafts.ts';

export async function rollBack(hub: DesignerHub, editor: Editor, serviceId: string, version: number): Promise<void> {
  const versions = await hub.catalogue.versionsOf(serviceId);
  const target = versions.find((v) => v.version === version);
  if (!target) throw new NotFoundError(`There is no version ${version} of this service.`);
  if (target.state !== 'retired') throw new ConflictError(`Version ${version} cannot be made live again: only a version that was live before can.`);
  const live = versions.find((v) => v.state === 'published')?.version ?? null;
  await hub.catalogue.publish(serviceId, version);
  await insertAuditEvent(hub.db, { actor: editor.actor, action: 'service.rolled-back', target: `${serviceId}@${version}`, detail: { from: live } });
}
