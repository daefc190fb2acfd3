// How many submissions each service has had, for the services list. Counting every process on each view reads the whole
// index (about 200 ms at a million processes on a small machine), but the count only grows (erasure and retention
// redact a process, never delete it). So each hub process keeps, per service, the count up to a settled moment and on
// each view adds only the processes submitted since: small index range reads instead of a full count.
import type { Database } from '../db/database.ts';
import { countSubmissions } from './services-list-repo.ts';

/** Submissions stamped before this long ago are settled: no transaction still to commit carries an older time. */
const SETTLE_MS = 10 * 60_000;

interface Settled {
  until: Date;
  n: number;
}

interface DbCounts {
  settled: Map<string, Settled>;
  /** Views bring the settled counts forward one at a time (two at once would add the same processes twice). */
  queue: Promise<unknown>;
}

const byDb = new WeakMap<Database, DbCounts>();

export async function submissionsPerService(db: Database, serviceIds: string[], now = new Date()): Promise<Map<string, number>> {
  let state = byDb.get(db);
  if (!state) byDb.set(db, (state = { settled: new Map(), queue: Promise.resolve() }));
  const settleTo = new Date(now.getTime() - SETTLE_MS);
  const settled = state.settled;
  const step = state.queue.then(() => settle(db, settled, serviceIds, settleTo));
  state.queue = step.catch(() => undefined);
  await step;
  // The last few minutes, not yet settled, counted each time (from each service's own settled moment).
  const result = new Map<string, number>();
  for (const [until, ids] of groupBy(serviceIds, (id) => settled.get(id)!.until.getTime())) {
    const recent = await countSubmissions(db, ids, new Date(until), null);
    for (const id of ids) result.set(id, settled.get(id)!.n + (recent.get(id) ?? 0));
  }
  return result;
}

/** Brings each service's settled count up to `settleTo`: a full count the first time, the processes since after that. */
async function settle(db: Database, settled: Map<string, Settled>, serviceIds: string[], settleTo: Date): Promise<void> {
  const behind = serviceIds.filter((id) => {
    const until = settled.get(id)?.until;
    return !until || until < settleTo;
  });
  for (const [from, ids] of groupBy(behind, (id) => settled.get(id)?.until.getTime() ?? null)) {
    const counts = await countSubmissions(db, ids, from === null ? null : new Date(from), settleTo);
    for (const id of ids) settled.set(id, { until: settleTo, n: (settled.get(id)?.n ?? 0) + (counts.get(id) ?? 0) });
  }
}

function groupBy<K>(ids: string[], key: (id: string) => K): Map<K, string[]> {
  const groups = new Map<K, string[]>();
  for (const id of ids) groups.set(key(id), [...(groups.get(key(id)) ?? []), id]);
  return groups;
}
