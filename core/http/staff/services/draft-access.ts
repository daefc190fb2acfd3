// The designer's pages find the draft they edit here: the person's council must own the service (another council's is
// "Page not found", as everywhere in the console), and a published service without a draft gets one started from its
// newest version the first time someone opens it for editing.
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { getDraft, openDraft, type Editor, type WorkingDraft } from '../../../designer/drafts.ts';
import { staffInCouncil } from '../../../staff/scope.ts';
import { actorOf, staffOf } from '../admin-access.ts';
import { formBody } from '../form-body.ts';

const NOT_FOUND = 'If you typed the web address, check it is correct.';

/** The signed-in person as the drafts' audit entries and "last edited by" name them. */
export function editorOf(ctx: Koa.Context): Editor {
  return actorOf(staffOf(ctx));
}

/** The council a stored service belongs to; undefined when there is no such service. */
async function storedServiceCouncil(hub: Hub, serviceId: string): Promise<string | undefined> {
  if (hub.catalogue.has(serviceId)) return hub.catalogue.get(serviceId).definition.council ?? hub.councils.defaultId;
  const [latest] = await hub.catalogue.versionsOf(serviceId);
  if (!latest) return undefined;
  return (await hub.catalogue.getVersion(serviceId, latest.version)).definition.council ?? hub.councils.defaultId;
}

/** The service's working draft, started from its newest version if it has none. 404 for another council's service. */
export async function draftForEditing(ctx: Koa.Context, hub: Hub, serviceId: string): Promise<WorkingDraft> {
  const user = staffOf(ctx);
  const existing = await getDraft(hub, serviceId);
  const council = existing?.council ?? (await storedServiceCouncil(hub, serviceId));
  if (council === undefined || !staffInCouncil(user, council)) throw new NotFoundError(NOT_FOUND);
  return existing ?? openDraft(hub, editorOf(ctx), serviceId);
}

/** The draft if there is one (without starting one), with the same council check; 404 when the service is unknown. */
export async function draftIfAny(ctx: Koa.Context, hub: Hub, serviceId: string): Promise<WorkingDraft | undefined> {
  const user = staffOf(ctx);
  const existing = await getDraft(hub, serviceId);
  const council = existing?.council ?? (await storedServiceCouncil(hub, serviceId));
  if (council === undefined || !staffInCouncil(user, council)) throw new NotFoundError(NOT_FOUND);
  return existing;
}

/** The `revision` hidden field every designer form carries (the draft's revision when the page was shown). */
export function postedRevision(ctx: Koa.Context): number {
  const revision = Number(formBody(ctx).revision);
  if (!Number.isInteger(revision) || revision < 1)
    throw new ValidationError('The form is missing its revision', [{ field: 'revision', message: 'Reload the page and try again' }]);
  return revision;
}
