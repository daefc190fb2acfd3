// Where the slowest notes of a run spent their time, so the note → e-mail tail can be put down to a stage: from the back
// office's request to the start of the statement that wrote the note (the serve role: HTTP, the access check, the wait
// for a shared statement), from there to a worker's claim of the message (the note's commit, the relay, the queue), and
// from the claim to the e-mail's arrival (the message built and sent over SMTP). Postgres's clock and the harness's are
// the same machine's.
import type pg from 'pg';

export interface NoteStages {
  /** Notes in the slowest 1% (at least one) whose stages were found. */
  notes: number;
  /** Medians over those notes, in ms. */
  toStatement: number;
  toClaim: number;
  toArrival: number;
}

interface StageRow {
  i: number;
  statement_ms: number;
  claim_ms: number | null;
}

/** `starts` and `arrived` are the run's request times and e-mail arrival times (Date.now()), by note number. */
export async function slowestNoteStages(db: pg.Client, tag: string, starts: number[], arrived: Map<number, number>): Promise<NoteStages | null> {
  const slowest = [...arrived]
    .map(([i, at]) => ({ i, at, total: at - starts[i]! }))
    .sort((a, b) => b.total - a.total)
    .slice(0, Math.max(1, Math.ceil(arrived.size / 100)));
  if (!slowest.length) return null;
  // The message's claim mints its tracking link (notify/notifications-repo.ts): the process's first token minted after
  // the note's statement began is this message's. The bench adds one note a process in a run.
  const { rows } = await db.query<StageRow>(
    `select (regexp_match(t.text, '-(\\d+) of the run'))[1]::int as i, (extract(epoch from t.created_at) * 1000)::float8 as statement_ms,
       (select (extract(epoch from min(k.created_at)) * 1000)::float8 from tracking_tokens k where k.process_id = t.process_id and k.created_at >= t.created_at) as claim_ms
     from timeline_events t where t.kind = 'note' and t.text = any($1::text[])`,
    [slowest.map((s) => `Bench note ${tag}-${s.i} of the run.`)],
  );
  const byNote = new Map(rows.map((r) => [r.i, r]));
  const stages = slowest.flatMap((s) => {
    const r = byNote.get(s.i);
    if (!r || r.claim_ms === null) return [];
    return [{ toStatement: r.statement_ms - starts[s.i]!, toClaim: r.claim_ms - r.statement_ms, toArrival: s.at - r.claim_ms }];
  });
  if (!stages.length) return null;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  return {
    notes: stages.length,
    toStatement: median(stages.map((s) => s.toStatement)),
    toClaim: median(stages.map((s) => s.toClaim)),
    toArrival: median(stages.map((s) => s.toArrival)),
  };
}
