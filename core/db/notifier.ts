// Postgres NOTIFY as a wake-up hint, sent after the writer's commit rather than inside it. Why: NOTIFY takes a
// database-wide lock at commit and holds it until the commit's WAL is flushed, so every transaction that notified
// queued behind every other one's fsync — at 200 notes/s the note → e-mail tail (issue 21; the bench's Postgres
// activity showed Lock:object as the top wait). Sent on its own, asynchronously committed (a lost hint costs one relay
// timer tick, never data), and coalesced: requests for a (channel, payload) are gathered for GATHER_MS, and while one
// notify is in flight any number of further requests make one more, so every commit is followed by at least one notify
// that starts after it.
import type pg from 'pg';

type Query = (config: pg.QueryConfig) => Promise<unknown>;

/**
 * How long a first request waits for others to share its notify. Each notify is a statement here and a pass of the
 * relay in every worker process (all but one of them find nothing): at 200 notes/s, without the wait, 12,676 notifies
 * for 22,470 messages. 10 ms is small beside the citizen's wait and the relay's own timer.
 */
const GATHER_MS = 10;

export class Notifier {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly gathering = new Map<string, { timer: NodeJS.Timeout; channel: string; payload: string }>();
  private closed = false;

  constructor(private readonly query: Query) {}

  send(channel: string, payload: string): void {
    if (this.closed) return;
    const key = `${channel}\u0000${payload}`;
    if (this.gathering.has(key)) return;
    if (this.inFlight.has(key)) {
      this.again.add(key);
      return;
    }
    this.gather(key, channel, payload);
  }

  private gather(key: string, channel: string, payload: string): void {
    const timer = setTimeout(() => {
      this.gathering.delete(key);
      this.notify(key, channel, payload);
    }, GATHER_MS);
    this.gathering.set(key, { timer, channel, payload });
  }

  private notify(key: string, channel: string, payload: string): void {
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
        if (this.again.delete(key)) {
          if (this.closed) this.notify(key, channel, payload);
          else this.gather(key, channel, payload);
        }
      });
    this.inFlight.set(key, sent);
  }

  /** Sends what is gathering at once, waits for the notifies in flight (and the ones they leave owed), then sends no more. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [key, { timer, channel, payload }] of this.gathering) {
      clearTimeout(timer);
      this.gathering.delete(key);
      if (this.inFlight.has(key)) this.again.add(key);
      else this.notify(key, channel, payload);
    }
    while (this.inFlight.size) await Promise.all(this.inFlight.values());
  }
}
