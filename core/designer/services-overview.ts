// What the services list shows of each service a person may design: its live version (and when it went live), its
// working draft (who last edited it, when), its bindings and how many cases it has had. Services never published (only a
// draft, or a version stored through the admin API) are listed too.
import type { DesignerHub, WorkingDraft } from './drafts.ts';
import { listWorkingDrafts } from './drafts.ts';
import { listServiceRows } from './services-list-repo.ts';
import { submissionsPerService } from './submission-counts.ts';

export interface ServiceSummary {
  id: string;
  title: string;
  council: string;
  /** The live version; null when never published. */
  liveVersion: number | null;
  liveSince: Date | null;
  draft: { editedByName: string; editedAt: Date; revision: number } | null;
  bindings: string[];
  submissions: number;
}

/** The services of `council` (null: every council), by title. */
export async function serviceSummaries(hub: DesignerHub, council: string | null): Promise<ServiceSummary[]> {
  const inScope = (c: string) => council === null || c === council;
  const drafts = new Map((await listWorkingDrafts(hub, council)).map((d) => [d.serviceId, d]));
  const stored = (await listServiceRows(hub.db)).filter((r) => inScope(drafts.get(r.id)?.council ?? r.council ?? hub.councils.defaultId));
  const counts = await submissionsPerService(
    hub.db,
    stored.map((r) => r.id),
  );
  const summaries: ServiceSummary[] = stored.map((r) => {
    const draft = drafts.get(r.id);
    return {
      id: r.id,
      title: draft?.definition.title || r.title,
      council: draft?.council ?? r.council ?? hub.councils.defaultId,
      liveVersion: r.publishedVersion,
      liveSince: r.publishedVersion === null ? null : r.publishedAt,
      draft: draft ? draftState(draft) : null,
      bindings: r.publishedVersion === null && draft ? (draft.definition.bindings ?? []) : r.bindings,
      submissions: counts.get(r.id) ?? 0,
    };
  });
  const storedIds = new Set(stored.map((r) => r.id));
  for (const draft of drafts.values()) {
    if (storedIds.has(draft.serviceId)) continue;
    summaries.push({
      id: draft.serviceId,
      title: draft.definition.title || draft.serviceId,
      council: draft.council,
      liveVersion: null,
      liveSince: null,
      draft: draftState(draft),
      bindings: draft.definition.bindings ?? [],
      submissions: 0,
    });
  }
  return summaries.sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
}

function draftState(d: WorkingDraft): ServiceSummary['draft'] {
  return { editedByName: d.editedByName, editedAt: d.editedAt, revision: d.revision };
}
