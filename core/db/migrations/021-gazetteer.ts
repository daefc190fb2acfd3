// The embedded gazetteer (issue 19): each council's own address list (an LLPG/AddressBase export), searched by postcode,
// by text (pg_trgm) and by distance from a point.
//
// A re-import replaces a council's addresses atomically. `gazetteer_addresses` is partitioned by `generation`, one
// partition per import of one council: an import fills a table of its own (no index yet, so COPY is fast), indexes it,
// then attaches it and points `gazetteer_current` at it in one transaction. Readers always go through
// `gazetteer_current`, so they see the old list or the new one, never half of one; an import that fails or is
// aborted drops its table and nothing else changed. The old partition is dropped after the switch.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`
    create extension if not exists pg_trgm;

    -- One import of one council's address list. finished_at is set when it became current; an unfinished one is an
    -- import in progress or one that died (the next import of that council drops its table).
    create table gazetteer_imports (
      generation bigint generated always as identity primary key,
      council text not null,
      source text not null,
      rows integer,
      started_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index gazetteer_imports_council on gazetteer_imports (council, generation);

    -- Which import each council's readers see.
    create table gazetteer_current (
      council text primary key,
      generation bigint not null references gazetteer_imports (generation)
    );

    create table gazetteer_addresses (
      generation bigint not null,
      council text not null,
      -- 1 to 12 digits, kept as text (leading zeros, more than int32).
      uprn text not null,
      -- The address lines, building first, without town and postcode.
      lines text[] not null,
      town text,
      -- Normalised: "SW1A 2AA".
      postcode text not null,
      easting double precision not null,
      northing double precision not null,
      latitude double precision not null,
      longitude double precision not null,
      -- Lower-case words of the lines, town and postcode, for trigram search and the building filter.
      search_text text not null
    ) partition by list (generation);
    -- Each partition holds one council's one import, so the indexes need neither column.
    create index gazetteer_addresses_postcode on gazetteer_addresses (postcode);
    create index gazetteer_addresses_uprn on gazetteer_addresses (uprn);
    create index gazetteer_addresses_grid on gazetteer_addresses (easting, northing);
    create index gazetteer_addresses_search on gazetteer_addresses using gin (search_text gin_trgm_ops);
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query(`
    drop table if exists gazetteer_addresses;
    drop table if exists gazetteer_current;
    drop table if exists gazetteer_imports;
  `);
};
