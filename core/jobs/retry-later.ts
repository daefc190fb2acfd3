// How a job asks BullMQ for another attempt: the processor works out the delay itself (from the attempt count Postgres
// keeps, which survives a Redis loss) and throws RetryLater; the queues' custom backoff hands that delay to BullMQ.

/** Thrown to BullMQ to ask for another attempt after `delayMs` (read by the queue's custom backoff). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** BullMQ asks this for the delay before a retry; the processor already computed it from Postgres's attempt count. */
export function backoffStrategy(_attemptsMade: number, _type?: string, err?: Error): number {
  return err instanceof RetryLater ? err.delayMs : 5000;
}
