// What a connector may do to the hub's processes: the same actions as the REST API, bound to its binding.

export type TaskStatus = 'open' | 'in_progress' | 'completed' | 'cancelled';

export interface Actor {
  /** Shown on the timeline: "Alloy EH", "webhook:sandbox", a staff member's name "Jane Smith". */
  name: string;
  kind: 'api-client' | 'connector' | 'admin' | 'system' | 'staff' | 'citizen';
  /** A staff member's account id (kind 'staff'): the audit log names them "staff:<id>", as their sign-ins. */
  id?: string;
}

/**
 * `eventId`: the back office's id for the event (e.g. a webhook-id). An event id already applied for this binding is
 * ignored ({ applied: false }), atomically with the change itself, so a redelivered callback has no second effect.
 * `applied` is also false when the action changed nothing (e.g. a task already in that status).
 */
export interface ChangeOptions {
  eventId?: string;
}

export interface ProcessSummary {
  id: string;
  serviceId: string;
  status: string;
  externalRef: string | null;
}

export interface TaskSummary {
  key: string;
  title: string;
  status: TaskStatus;
}

/**
 * The actions throw an error with `status` 404 (no such process or task) or 409 (the process is closed) when they
 * cannot apply: answer the back office accordingly rather than retrying.
 */
export interface ProcessApi {
  /**
   * A process this binding delivers, by its id, by the back office's reference (once a delivery returned one) or by the
   * citizen's reference (NOI-7KX3M9QP, as the delivered XML carries it); null when there is none.
   */
  find(ref: { processId?: string; externalRef?: string; reference?: string }): Promise<ProcessSummary | null>;
  /** The tasks of a process this binding delivered, in the service's order (empty when there is no such process). */
  tasks(processId: string): Promise<TaskSummary[]>;
  addNote(processId: string, note: { text: string; visibleToCitizen: boolean }, actor: Actor, options?: ChangeOptions): Promise<{ applied: boolean }>;
  /**
   * `onlyIfStatusChanges`: when the task already has this status nothing happens, not even the note (for back offices
   * that report their current state rather than changes: a repeated state must not notify the citizen twice).
   */
  updateTask(
    processId: string,
    taskKey: string,
    update: { status: TaskStatus; note?: string; visibleToCitizen?: boolean; onlyIfStatusChanges?: boolean },
    actor: Actor,
    options?: ChangeOptions,
  ): Promise<{ applied: boolean }>;
  close(processId: string, reason: string, actor: Actor, options?: ChangeOptions): Promise<{ applied: boolean }>;
  /**
   * Adds a document from the back office to the process: its bytes (`content`, at most 2 MB) or a `url` the hub fetches
   * through the SSRF guard (private addresses refused unless `allowPrivateNetwork`; no redirects followed). The hub
   * checks its real type and size as it does a citizen's files (415, 413; 422 for a URL it cannot fetch). A document
   * `visibleToCitizen` is shown on the tracking page for download and the citizen is told; a private one never reaches
   * them. `documentId` is absent for a repeated event id.
   */
  addDocument(processId: string, document: DocumentToAdd, actor: Actor, options?: ChangeOptions): Promise<{ applied: boolean; documentId?: string }>;
}

export interface DocumentToAdd {
  /** The file's name as the citizen downloads it (default: the URL's last segment, or "document"). */
  fileName?: string;
  /** Shown to the citizen and on the case: "Abatement notice". */
  title?: string;
  visibleToCitizen: boolean;
  /** Exactly one of content and url. */
  content?: Uint8Array;
  url?: string;
  /** Fetch `url` even from a loopback or private address (a back office on the council's own network). */
  allowPrivateNetwork?: boolean;
}
