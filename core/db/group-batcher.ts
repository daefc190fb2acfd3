// Group commit, generalised: calls that arrive while earlier ones are in flight wait for the next round and go to
// Postgres together, as one statement over arrays. On this kind of machine a round trip costs far more than a row
// (each one wakes a Postgres backend: a write syscall, a context switch, a commit), so under load N calls cost one
// round trip instead of N. An idle hub runs a lone call at once (no timer), so this only changes anything under load.
export interface GroupBatcherOptions<In> {
  /** Statements in flight at once (each holds one pooled connection). */
  maxInFlight?: number;
  /** Calls per statement at most. */
  maxBatch?: number;
  /**
   * Whether a failed batch is run again one call at a time, in order, so only the call at fault fails (e.g. a
   * constraint violation); other errors (the database is gone) are every call's answer.
   */
  retryAlone?: (err: unknown) => boolean;
  /**
   * Calls with one key (a row they all change) never share a batch, and a call whose key is in a batch in flight waits
   * for that batch to finish: calls on one row run one batch after another, in the order they came. Calls with other
   * keys go ahead of it meanwhile.
   */
  key?: (input: In) => string;
}

interface Waiting<In, Out> {
  input: In;
  /** The call's key (with `key`). */
  key?: string;
  resolve(out: Out): void;
  reject(err: unknown): void;
}

export class GroupBatcher<In, Out> {
  private readonly queue: Waiting<In, Out>[] = [];
  private inFlight = 0;
  /**
   * With `key`: each key that has a call in the queue or in a batch in flight, and the later calls with that key waiting
   * behind it, in order. The queue so only ever holds calls with distinct keys, none of them in flight.
   */
  private readonly behind = new Map<string, Waiting<In, Out>[]>();
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  /** Statements run and calls served by them (statements < calls under load). */
  readonly stats = { statements: 0, calls: 0 };

  /** `run` answers each input in order: one output per input. */
  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    private readonly options: GroupBatcherOptions<In> = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxBatch = options.maxBatch ?? 64;
  }

  call(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      const waiting: Waiting<In, Out> = { input, key: this.options.key?.(input), resolve, reject };
      if (waiting.key !== undefined) {
        const later = this.behind.get(waiting.key);
        if (later) return void later.push(waiting);
        this.behind.set(waiting.key, []);
      }
      this.queue.push(waiting);
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.queue.length) return;
    this.scheduled = true;
    // setImmediate, not a timer: calls made in the same turn of the event loop share a batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.inFlight++;
        void this.runBatch(batch).finally(() => {
          this.release(batch);
          this.inFlight--;
          this.schedule();
        });
      }
    });
  }

  /** A finished batch's keys: the next call waiting behind each joins the queue, or the key is free. */
  private release(batch: Waiting<In, Out>[]) {
    for (const { key } of batch) {
      if (key === undefined) continue;
      const next = this.behind.get(key)?.shift();
      if (next) this.queue.push(next);
      else this.behind.delete(key);
    }
  }

  private async runBatch(batch: Waiting<In, Out>[]) {
    try {
      const outs = await this.runCounted(batch.map((w) => w.input));
      batch.forEach((w, i) => w.resolve(outs[i]!));
    } catch (err) {
      if (batch.length > 1 && this.options.retryAlone?.(err)) {
        // One at a time, in the order the calls came: two calls on one row (two notes on a process) keep their order.
        for (const w of batch) await this.runCounted([w.input]).then((outs) => w.resolve(outs[0]!), w.reject);
      } else {
        for (const w of batch) w.reject(err);
      }
    }
  }

  private async runCounted(inputs: In[]): Promise<Out[]> {
    const outs = await this.run(inputs);
    this.stats.statements++;
    this.stats.calls += inputs.length;
    return outs;
  }
}

/**
 * One instance per database, made on first use: the batchers of a process share their queue whichever caller asks.
 */
export function perDatabase<Db extends object, T>(create: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) made.set(db, (value = create(db)));
    return value;
  };
}

/**
 * Answers a batch of claims from the rows a statement returned, in input order. The same id twice in a batch (a
 * duplicate job) gets the row only the first time: a row is claimed once.
 */
export function firstRowPerId<Row extends { id: string }>(ids: string[], rows: Row[]): (Row | undefined)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const row = byId.get(id);
    byId.delete(id);
    return row;
  });
}

/** Postgres integrity violations (class 23): the data of one call is at fault, not the database. */
export function isIntegrityViolation(err: unknown): boolean {
  return String((err as { code?: string }).code ?? '').startsWith('23');
}
