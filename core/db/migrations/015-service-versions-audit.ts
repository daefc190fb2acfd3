// The designer's versions page says who published each version and who rolled back to it: the audit log's entries for
// one service's versions (target "<service>@<version>"), read by prefix from this small partial index instead of a scan
// of the whole audit log (one entry per submission, delivery and message: millions).
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`create index audit_events_service_versions on audit_events (target text_pattern_ops, id)
    where action in ('service.published', 'service.rolled-back')`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop index if exists audit_events_service_versions');
};
