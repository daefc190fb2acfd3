// The SQL of idempotency_keys: one row per (API client, Idempotency-Key), holding the first response.
import type { Sql } from '../db/database.ts';

/** Inserts the key; false when it exists (the insert then waits for a concurrent first request to commit). */
export async function claimIdempotencyKey(sql: Sql, clientId: string, key: string, requestHash: string): Promise<boolean> {
  const claimed = await sql.rows(
    `insert into idempotency_keys (client_id, key, request_hash, response_status) values ($1, $2, $3, 0)
     on conflict do nothing returning 1`,
    [clientId, key, requestHash],
  );
  return claimed.length > 0;
}

export async function idempotencyKeyOf(
  sql: Sql,
  clientId: string,
  key: string,
): Promise<{ request_hash: string; response_status: number; response_body: unknown } | undefined> {
  return sql.row('select request_hash, response_status, response_body from idempotency_keys where client_id = $1 and key = $2', [clientId, key]);
}

export async function recordIdempotentResponse(sql: Sql, clientId: string, key: string, status: number, body: unknown): Promise<void> {
  await sql.run('update idempotency_keys set response_status = $3, response_body = $4::jsonb where client_id = $1 and key = $2', [
    clientId,
    key,
    status,
    JSON.stringify(body ?? null),
  ]);
}
