// The ids of the rows a case adds: version 7 UUIDs (RFC 9562), which start with the millisecond they were made.
//
// Version 4 ids are random, so every index keyed by one — a table's primary key, and the process_id index of each table
// hanging off a process (tasks, timeline, documents, deliveries, messages, tracking links) — takes each new row at a
// random page. At a million cases those pages are not in memory, and after each checkpoint Postgres writes the whole
// page to the WAL the first time it changes: in the bench's full run, 3–4 checkpoints were requested in each end-to-end
// run of about 100 s (2 with these ids). Ids that grow with time are added at the right-hand end of their indexes, a few
// pages that stay in memory (README, Performance).
//
// They are identifiers, never secrets (the tracking link's token is the secret): a version 7 id tells when its row was
// made, which the row's own times already say to whoever may read it. uuid_v7() (migration 023) makes the same in SQL.
import { v7 } from 'uuid';

/** A new time-ordered id (UUID version 7; ids made in the same millisecond by this process still increase). */
export function newId(): string {
  return v7();
}
