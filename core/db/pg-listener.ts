// Postgres LISTEN on one channel, reconnecting on its own. Used to wake the outbox relay the moment something commits,
// and to tell every API process that a service was published. Callers keep a timer too: a lost notification only
// costs latency.
import pg from 'pg';
import type { Logger } from 'pino';

export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string | undefined) => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: `closeloop-listen-${this.channel}` });
    client.on('notification', (msg) => this.onNotify(msg.payload));
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'Postgres listener lost its connection; reconnecting');
      this.reconnect();
    });
    client.on('end', () => this.reconnect());
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
      this.client = client;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Postgres listener could not connect; retrying');
      client.end().catch(() => {});
      this.reconnect();
    }
  }

  private reconnect(): void {
    if (this.stopped || this.retry) return;
    this.client = null;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.start();
    }, 2000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
  }
}
