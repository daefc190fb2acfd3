// Polling fallback: items of the binding's design edited since the last poll, each applied through the state maps.
// The cursor is Alloy's own lastEditDate (never our clock), moved back a few seconds so an edit landing in the same
// instant is not missed; items seen twice change nothing (see states.ts).
import type { ConnectorContext, PollResult } from '@closeloop/sdk';
import type { AlloyClient } from './client.ts';
import { designsOf, type AlloyConfig } from './config.ts';
import { editedAfter, itemsQuery } from './aqs.ts';
import { applyItemState } from './states.ts';

const PAGE_SIZE = 100;
const MAX_PAGES = 100;
const OVERLAP_MS = 5_000;
/** The first poll of a binding looks this far back. */
const FIRST_LOOKBACK_MS = 24 * 3600_000;

export async function pollAlloy(ctx: ConnectorContext<AlloyConfig>, client: AlloyClient, cursor: string | null): Promise<PollResult> {
  const since = cursor ?? new Date(Date.now() - FIRST_LOOKBACK_MS).toISOString();
  let newest = Date.parse(since) + OVERLAP_MS;
  let seen = 0;
  let applied = 0;
  for (const design of designsOf(ctx.config)) {
    const aqs = itemsQuery(design, ctx.config.collectionCode, [editedAfter(since)]);
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await client.query(aqs, page, PAGE_SIZE);
      for (const item of res.results ?? []) {
        seen++;
        if ((await applyItemState(item, ctx)).applied) applied++;
        const edited = item.lastEditDate ? Date.parse(item.lastEditDate) : NaN;
        if (Number.isFinite(edited) && edited > newest) newest = edited;
      }
      if (page >= (res.totalPages ?? 1)) break;
    }
  }
  return { cursor: new Date(newest - OVERLAP_MS).toISOString(), seen, applied };
}
