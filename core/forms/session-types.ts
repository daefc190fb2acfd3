// What a citizen's form in progress holds (core/forms/session.ts keeps it; form-sessions-repo.ts stores it).

export interface SessionFile {
  documentId: string;
  fieldId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  key: string;
}

/** What the confirmation page needs once a form is sent; nothing the citizen answered is kept. */
export interface SentForm {
  reference: string;
  trackingUrl: string;
  processId: string;
}

export interface FormSession {
  serviceId: string;
  serviceVersion: number;
  answers: Record<string, unknown>;
  files: SessionFile[];
  /** Set once the form is sent. */
  result: SentForm | null;
  /** Another request of this browser is sending the form right now. */
  sending: boolean;
}
