// Postgres NOTIFY as a wake-up hint, sent after the writer's commit rather than inside it. Why: NOTIFY takes a
// database-wide lock at commit and holds it until the commit's WAL is flushed, so every transaction that notified
// queued behind every other one's fsync — at 200 notes/s the note → e-mail tail (issue 21; the bench's Postgres
// activity showed Lock:object as the top wait). Sent on its own, asynchronously committed (a lost hint costs one relay
// timer tick, never data), and coalesced: while one notify for a (channel, payload) is in flight, any number of further
// requests make one more, so every commit is followed by at least one notify that starts after it.
import type pg from 'pg';

type Query = (config: pg.QueryConfig) => Promise<unknown>;

export class Notifier {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private closed = false;

  constructor(private readonly query: Query) {}

  send(channel: string, payload: string): void {
    if (this.closed) return;
    const key = `${channel}\u0000${payload}`;
    if (this.inFlight.has(key)) {
      this.again.add(key);
      return;
    }
    const sent = this.query({
      text: "select set_config('synchronous_commit', 'off', true), pg_notify($1, $2)",
      values: [channel, payload],
    })
      .then(
        () => {},
        () => {}, // a hint: the relay's timer finds the rows anyway
      )
      .finally(() => {
        this.inFlight.delete(key);
        if (this.again.delete(key)) this.send(channel, payload);
      });
    this.inFlight.set(key, sent);
  }

  /** Waits for the notifies in flight (and the ones they leave owed), then sends no more. */
  async close(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight.values());
    this.closed = true;
  }
}
