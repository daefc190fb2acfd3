// The environmental-health case store behind the test SOAP server: what a careful back office does with each
// operation. Creates are idempotent by IdempotencyKey (an argument, or the idempotency SOAP header for a whole
// document); attachments are idempotent by their own key. Unknown cases and missing keys are Client faults.

export interface StoredAttachment {
  id: string;
  caseReference: string;
  fileName: string;
  contentType: string;
  content: Buffer;
  /** Per-file key for AddAttachment; inline files have none. */
  idempotencyKey?: string;
  via: 'inline' | 'operation';
}

export interface BackofficeCase {
  reference: string;
  idempotencyKey: string;
  operation: 'CreateServiceRequest' | 'SubmitCaseDocument';
  /** The request's fields as the SOAP server parsed them (Attachments left out). */
  fields: Record<string, unknown>;
  /** SubmitCaseDocument: the document inside CaseDocument, as received. */
  document?: string;
  status: string;
  attachments: StoredAttachment[];
  /** AddNote: notes on the case (a citizen's replies), one per idempotency key. */
  notes: { id: string; text: string; sentAt?: string; idempotencyKey: string }[];
}

/** A fault a service method throws; the server turns it into a SOAP 1.1 or 1.2 Fault with HTTP 500. */
export class CaseFault extends Error {
  constructor(
    readonly kind: 'Client' | 'Server',
    readonly subcode: string,
    message: string,
  ) {
    super(message);
  }
}

export class CaseStore {
  readonly cases = new Map<string, BackofficeCase>();
  readonly attachments: StoredAttachment[] = [];
  private readonly byKey = new Map<string, BackofficeCase>();
  private counter = 0;

  constructor(private readonly prefix: string) {}

  /** The case for this key: the one created before, or a new one. */
  create(
    key: string | undefined,
    make: () => Omit<BackofficeCase, 'reference' | 'idempotencyKey' | 'status' | 'attachments' | 'notes'>,
    files: Omit<StoredAttachment, 'id' | 'caseReference' | 'via'>[] = [],
  ): BackofficeCase {
    if (!key) throw new CaseFault('Client', 'tns:MissingIdempotencyKey', 'IdempotencyKey is required');
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const c: BackofficeCase = {
      ...make(),
      reference: `${this.prefix}-${String(++this.counter).padStart(5, '0')}`,
      idempotencyKey: key,
      status: 'received',
      attachments: [],
      notes: [],
    };
    for (const f of files) this.store(c, { ...f, via: 'inline' });
    this.cases.set(c.reference, c);
    this.byKey.set(key, c);
    return c;
  }

  addAttachment(
    caseReference: string,
    key: string | undefined,
    file: Omit<StoredAttachment, 'id' | 'caseReference' | 'via' | 'idempotencyKey'>,
  ): StoredAttachment {
    const c = this.cases.get(caseReference);
    if (!c) throw new CaseFault('Client', 'tns:CaseNotFound', `no case ${caseReference}`);
    if (!key) throw new CaseFault('Client', 'tns:MissingIdempotencyKey', 'IdempotencyKey is required');
    return c.attachments.find((a) => a.idempotencyKey === key) ?? this.store(c, { ...file, idempotencyKey: key, via: 'operation' });
  }

  addNote(caseReference: string, key: string | undefined, note: { text: string; sentAt?: string }): { id: string } {
    const c = this.cases.get(caseReference);
    if (!c) throw new CaseFault('Client', 'tns:CaseNotFound', `no case ${caseReference}`);
    if (!key) throw new CaseFault('Client', 'tns:MissingIdempotencyKey', 'IdempotencyKey is required');
    const existing = c.notes.find((n) => n.idempotencyKey === key);
    if (existing) return existing;
    const stored = { id: `${caseReference}-N${c.notes.length + 1}`, ...note, idempotencyKey: key };
    c.notes.push(stored);
    return stored;
  }

  status(caseReference: string): string {
    return this.cases.get(caseReference)?.status ?? 'not-found';
  }

  clear(): void {
    this.cases.clear();
    this.byKey.clear();
    this.attachments.length = 0;
  }

  private store(c: BackofficeCase, file: Omit<StoredAttachment, 'id' | 'caseReference'>): StoredAttachment {
    const a: StoredAttachment = { ...file, id: `${c.reference}/A${c.attachments.length + 1}`, caseReference: c.reference };
    c.attachments.push(a);
    this.attachments.push(a);
    return a;
  }
}
