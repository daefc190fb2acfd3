// Information governance: the audit log's query, erasure of a citizen's personal data, retention. See docs/governance.md.
export { queryAudit, type AuditQuery, type AuditEntry, type AuditPage } from './audit-query.ts';
export {
  eraseProcess,
  erasedAtOf,
  processIdByReference,
  GoneError,
  NOT_DELIVERED_ERASED,
  type EraseDeps,
  type EraseRequest,
  type EraseResult,
  type ErasedCounts,
} from './erase.ts';
export { ERASED } from './redact.ts';
export {
  runRetention,
  retentionDryRun,
  retentionPolicies,
  retentionCandidates,
  RETENTION_ACTOR,
  type RetentionOutcome,
  type RetentionCandidate,
  type RetentionPolicy,
} from './retention.ts';
