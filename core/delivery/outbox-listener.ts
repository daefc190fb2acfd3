// Wakes the relay as soon as something commits to an outbox (Postgres LISTEN/NOTIFY), so deliveries and messages do not
// wait for the next relay tick. The timer still runs: a lost notification only costs latency, never a row.
import pg from 'pg';
import type { Logger } from 'pino';
import { OUTBOX_CHANNEL } from './relay.ts';

export class OutboxListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly onNotify: () => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'closeloop-outbox-listener' });
    client.on('notification', () => this.onNotify());
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'outbox listener lost its connection; reconnecting');
      this.reconnect();
    });
    client.on('end', () => this.reconnect());
    try {
      await client.connect();
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      this.client = client;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'outbox listener could not connect; retrying');
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
