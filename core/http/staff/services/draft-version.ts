// A working draft as the citizen's pages take it: the definition with its defaults applied, as a "version" numbered by
// the draft's revision. A draft without tasks yet can still be previewed (tasks are not part of the citizen's pages).
import type { FieldError } from '../../../errors.ts';
import type { WorkingDraft } from '../../../designer/drafts.ts';
import { serviceDefinitionSchema, type ServiceVersion } from '../../../services/index.ts';

export type PreviewableDraft = { ok: true; sv: ServiceVersion } | { ok: false; problems: FieldError[] };

export function draftAsVersion(draft: WorkingDraft): PreviewableDraft {
  const def = draft.definition;
  const parsed = serviceDefinitionSchema.safeParse({
    ...def,
    tasks: def.tasks.length ? def.tasks : [{ key: 'preview', title: 'Preview' }],
  });
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'definition', message: i.message })) };
  return { ok: true, sv: { serviceId: draft.serviceId, version: draft.revision, definition: parsed.data } };
}
