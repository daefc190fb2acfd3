// The staff console's case search (core/staff/cases-repo.ts) at a million cases: newest first within each service (and
// status), by the back office's reference, by the citizen's e-mail address, postcode (every address answer's, as the
// answers store them: "SO1 1AA") and a part of their name (pg_trgm, when the database lets us create the extension;
// otherwise a prefix index on the name, and a part of a name is found by a slower scan).
import type { Migration } from '../migration-types.ts';

/** The expressions the search's queries use, word for word (an expression index serves only its own expression). */
export const NAME_EXPRESSION = "lower(contact->>'name')";
export const EMAIL_EXPRESSION = "lower(contact->>'email')";
export const POSTCODES_EXPRESSION = "jsonb_path_query_array(answers, '$.*.postcode')";

export const up: Migration = async ({ context: sql }) => {
  await sql.query('create index processes_submitted on processes (submitted_at, id)');
  await sql.query('create index processes_service_submitted on processes (service_id, submitted_at, id)');
  await sql.query('create index processes_service_status_submitted on processes (service_id, status, submitted_at, id)');
  await sql.query('create index processes_external_ref on processes (external_ref) where external_ref is not null');
  await sql.query('create index deliveries_external_ref_any on deliveries (external_ref) where external_ref is not null');
  // Not partial: ANALYZE keeps statistics of a whole index's expression, which tell the planner how few rows match.
  await sql.query(`create index processes_email on processes ((${EMAIL_EXPRESSION}))`);
  await sql.query(`create index processes_postcodes on processes using gin ((${POSTCODES_EXPRESSION}) jsonb_path_ops)`);
  let trigrams = true;
  try {
    await sql.query('create extension if not exists pg_trgm');
  } catch {
    trigrams = false;
  }
  await sql.query(
    trigrams
      ? `create index processes_name on processes using gin ((${NAME_EXPRESSION}) gin_trgm_ops)`
      : `create index processes_name on processes ((${NAME_EXPRESSION}) text_pattern_ops)`,
  );
};

export const down: Migration = async ({ context: sql }) => {
  for (const index of [
    'processes_submitted',
    'processes_service_submitted',
    'processes_service_status_submitted',
    'processes_external_ref',
    'deliveries_external_ref_any',
    'processes_email',
    'processes_postcodes',
    'processes_name',
  ])
    await sql.query(`drop index if exists ${index}`);
};
