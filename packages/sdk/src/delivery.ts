// What a delivery carries to a connector, and what a connector answers.

export interface DeliveryDocument {
  id: string;
  /** form-json | form-html | evidence | xml */
  kind: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Where the back office can fetch it through the hub's API (needs the binding's API key). */
  url: string;
  read(): Promise<Buffer>;
}

export interface DeliveryProcess {
  id: string;
  reference: string;
  serviceId: string;
  serviceVersion: number;
  serviceTitle: string;
  submittedAt: string;
  externalRef: string | null;
  answers: Record<string, unknown>;
}

export interface DeliveryJob {
  /** Unique per process and binding; stable across retries: send it to the back office as the idempotency key. */
  deliveryId: string;
  /** 1 for the first attempt; counts every attempt, an operator's replays included (above 1, an earlier one may have reached you). */
  attempt: number;
  binding: string;
  process: DeliveryProcess;
  /** The service's XML, already validated against its XSD. */
  xml: string;
  documents: DeliveryDocument[];
}

export interface DeliveryResult {
  /** The back office's own reference for the case. */
  externalRef?: string;
  /** A short, bounded excerpt of the back office's answer, kept with the attempt for operators. */
  responseExcerpt?: string;
  detail?: unknown;
}

/** What a connector's poll returns: where the next poll starts (the hub stores it in Postgres between polls). */
export interface PollResult {
  cursor: string | null;
  /** How many back-office records were looked at and how many changed a process (for logs and metrics). */
  seen?: number;
  applied?: number;
}

export interface CheckResult {
  ok: boolean;
  problems: string[];
}

/**
 * A citizen's reply or further evidence on a case the back office already has (sent from the tracking page). Sent only
 * after the case's own delivery to this binding succeeded, so `process.externalRef` is the back office's reference when
 * it gave one.
 */
export interface UpdateJob {
  /** Unique per message and binding; stable across retries: send it to the back office as the idempotency key. */
  updateId: string;
  /** 1 for the first attempt; counts every attempt, replays included. */
  attempt: number;
  binding: string;
  process: { id: string; reference: string; serviceId: string; externalRef: string | null };
  message: {
    id: string;
    /** What the citizen wrote (may be empty when they only sent files). */
    text: string;
    sentAt: string;
  };
  /** The files sent with the message (kind `evidence`), readable once each. */
  documents: DeliveryDocument[];
}
