// uuid_v7(): the SQL twin of core/db/ids.ts's newId(), for the rows Postgres makes the ids of (deliveries, messages,
// the XML a delivery sent). A version 7 UUID (RFC 9562) starts with the millisecond it was made, so the indexes on these
// ids grow at their right-hand end; see ids.ts for why that matters at a million cases. Postgres 18 has uuidv7(); this
// runs on 15 to 17 as well. Built from a version 4 UUID: its first 48 bits replaced by the time, its version bits
// 0100 turned into 0111 (bits 52 and 53), its variant bits (10) kept.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`
    create function uuid_v7() returns uuid language sql volatile parallel safe as $$
      select encode(
        set_bit(set_bit(
          overlay(uuid_send(gen_random_uuid())
            placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
            from 1 for 6),
          52, 1), 53, 1),
        'hex')::uuid
    $$`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop function if exists uuid_v7()');
};
