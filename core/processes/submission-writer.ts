// Group commit for submissions. Under a surge, many citizens submit at once; writing each one as its own statement
// makes Postgres parse, plan, check and commit ~12 rows per request. Instead, submissions that arrive while earlier
// writes are in flight wait for the next write and go into Postgres together: one prepared statement, one commit for
// many processes. Nobody is answered before their rows are committed, and an idle hub writes a lone submission at once
// (no timer), so this only changes anything under load. Measured in bench/: see the README's Performance section.
import type { Database } from '../db/database.ts';
import { GroupBatcher, isIntegrityViolation, perDatabase } from '../db/group-batcher.ts';
import { insertSubmissions, type SubmissionRows } from './submissions-repo.ts';

export type { SubmissionDocument, SubmissionRows } from './submissions-repo.ts';

export interface SubmissionWriterOptions {
  /** Batches written at the same time (each holds a pooled connection). */
  maxInFlight?: number;
  /** Submissions in one statement at most. */
  maxBatch?: number;
}

export class SubmissionWriter {
  private readonly batcher: GroupBatcher<SubmissionRows, void>;

  constructor(db: Database, options: SubmissionWriterOptions = {}) {
    // A constraint (e.g. the rare reference collision) fails the whole statement: each is then written alone so only the
    // submission at fault sees the error.
    this.batcher = new GroupBatcher(
      async (batch) => {
        await insertSubmissions(db, batch);
        return batch.map(() => undefined);
      },
      { maxInFlight: options.maxInFlight ?? 2, maxBatch: options.maxBatch ?? 64, retryAlone: isIntegrityViolation },
    );
  }

  /** Statements run and submissions written by them (statements < submissions under load). */
  get stats(): { statements: number; submissions: number } {
    return { statements: this.batcher.stats.statements, submissions: this.batcher.stats.calls };
  }

  /** Resolves once the submission's rows are committed. */
  write(rows: SubmissionRows): Promise<void> {
    return this.batcher.call(rows);
  }
}

/** The process-wide writer of a database (one per Database instance). */
export const submissionWriter = perDatabase((db: Database) => new SubmissionWriter(db));
