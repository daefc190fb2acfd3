// The gazetteer's SQL: lookups for the provider (through the plugin database it is given) and the steps of an import
// (on the import's own connection). The table layout and why re-imports are atomic: core/db/migrations/021-gazetteer.ts.
import type { FoundAddress, GridPoint, PluginDatabase } from '@closeloop/sdk';
import type pg from 'pg';
import type { AddressRow } from './address-row.ts';

/** A stored address as the lookups read it (the import's row without its search text). */
type AddressRecord = Omit<AddressRow, 'searchText'>;

const COLUMNS = 'uprn, lines, town, postcode, easting, northing, latitude, longitude';
/** The council's current import (an init plan: Postgres prunes every other partition when the statement starts). */
const CURRENT = 'generation = (select generation from gazetteer_current where council = $1)';

export async function addressesAtPostcode(
  db: PluginDatabase,
  council: string,
  postcode: string,
  building: string | undefined,
  limit: number,
): Promise<FoundAddress[]> {
  // `building` is already reduced to lower-case words and spaces (searchTextOf), so it holds no LIKE wildcard.
  const rows = await db.query<AddressRecord>(
    `select ${COLUMNS} from gazetteer_addresses
      where ${CURRENT} and postcode = $2 and ($3::text is null or ' ' || search_text || ' ' like '% ' || $3 || ' %')
      order by search_text limit $4`,
    [council, postcode, building ?? null, limit],
  );
  return rows.map(found).sort((a, b) => NATURAL.compare(a.label, b.label));
}

export async function addressesLike(db: PluginDatabase, council: string, text: string, limit: number): Promise<FoundAddress[]> {
  const rows = await db.query<AddressRecord>(
    `select ${COLUMNS} from gazetteer_addresses
      where ${CURRENT} and $2 <% search_text
      order by word_similarity($2, search_text) desc, similarity($2, search_text) desc, search_text limit $3`,
    [council, text, limit],
  );
  return rows.map(found);
}

export async function addressOfUprn(db: PluginDatabase, council: string, uprn: string): Promise<FoundAddress | undefined> {
  const [row] = await db.query<AddressRecord>(`select ${COLUMNS} from gazetteer_addresses where ${CURRENT} and uprn = $2 limit 1`, [council, uprn]);
  return row && found(row);
}

/** The nearest address within `maxMetres`: a box around the point first (the grid index), then the exact distance. */
export async function nearestAddress(db: PluginDatabase, council: string, point: GridPoint, maxMetres: number): Promise<FoundAddress | undefined> {
  const [row] = await db.query<AddressRecord & { metres: number }>(
    `select ${COLUMNS}, sqrt(power(easting - $2, 2) + power(northing - $3, 2)) as metres from gazetteer_addresses
      where ${CURRENT} and easting between $2 - $4 and $2 + $4 and northing between $3 - $4 and $3 + $4
      order by metres, uprn limit 1`,
    [council, point.easting, point.northing, maxMetres],
  );
  return row && row.metres <= maxMetres ? found(row) : undefined;
}

export async function hasAddresses(db: PluginDatabase, council: string): Promise<boolean> {
  return (await db.query(`select 1 from gazetteer_current where council = $1`, [council])).length > 0;
}

// ---- Import steps, on the import's own connection ----

/** The table one import fills before it becomes a partition. */
export function importTable(generation: string): string {
  if (!/^\d{1,18}$/.test(generation)) throw new Error(`not a generation: ${generation}`);
  return `gazetteer_g${generation}`;
}

/** Holds the council's import lock for this connection's session; false when another import holds it (`wait`: wait for it). */
export async function lockImports(client: pg.ClientBase, council: string, wait: boolean): Promise<boolean> {
  if (wait) {
    await client.query(`select pg_advisory_lock(hashtextextended('closeloop-gazetteer-import:' || $1, 0))`, [council]);
    return true;
  }
  const { rows } = await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(hashtextextended('closeloop-gazetteer-import:' || $1, 0)) as locked`, [
    council,
  ]);
  return rows[0]!.locked;
}

export async function unlockImports(client: pg.ClientBase, council: string): Promise<void> {
  await client.query(`select pg_advisory_unlock(hashtextextended('closeloop-gazetteer-import:' || $1, 0))`, [council]);
}

/**
 * Drops what earlier imports of the council left behind (one that died before its switch, a partition whose drop after
 * the switch never ran). Call with the council's import lock held.
 */
export async function dropLeftovers(client: pg.ClientBase, council: string): Promise<void> {
  const { rows } = await client.query<{ generation: string }>(
    `select i.generation::text from gazetteer_imports i
      where i.council = $1 and i.generation is distinct from (select generation from gazetteer_current where council = $1)`,
    [council],
  );
  for (const { generation } of rows) {
    await client.query(`drop table if exists ${importTable(generation)}`);
    await client.query(`delete from gazetteer_imports where generation = $1 and finished_at is null`, [generation]);
  }
}

export async function hasAddressesOn(client: pg.ClientBase, council: string): Promise<boolean> {
  return (await client.query(`select 1 from gazetteer_current where council = $1`, [council])).rows.length > 0;
}

export async function startImport(client: pg.ClientBase, council: string, source: string): Promise<string> {
  const { rows } = await client.query<{ generation: string }>(`insert into gazetteer_imports (council, source) values ($1, $2) returning generation::text`, [
    council,
    source.slice(0, 500),
  ]);
  const generation = rows[0]!.generation;
  await client.query(`create table ${importTable(generation)} (like gazetteer_addresses)`);
  return generation;
}

/** The COPY statement that fills an import's table (text format, the columns in this order). */
export function copyStatement(generation: string): string {
  return `copy ${importTable(generation)} (generation, council, uprn, lines, town, postcode, easting, northing, latitude, longitude, search_text) from stdin`;
}

export async function abandonImport(client: pg.ClientBase, generation: string): Promise<void> {
  await client.query(`drop table if exists ${importTable(generation)}`);
  await client.query(`delete from gazetteer_imports where generation = $1`, [generation]);
}

/** Indexes the filled table like the partitioned one (so attaching reuses them) and checks its generation once. */
export async function indexImport(client: pg.ClientBase, generation: string): Promise<void> {
  const table = importTable(generation);
  await client.query(`set maintenance_work_mem = '256MB'`);
  await client.query(`alter table ${table} add constraint ${table}_generation check (generation = ${generation})`);
  await client.query(`create index on ${table} (postcode)`);
  await client.query(`create index on ${table} (uprn)`);
  await client.query(`create index on ${table} (easting, northing)`);
  await client.query(`create index on ${table} using gin (search_text gin_trgm_ops)`);
  await client.query(`analyze ${table}`);
}

/** The switch, in one transaction: the new list becomes the council's, the old one stops being seen. */
export async function switchToImport(client: pg.ClientBase, council: string, generation: string, rows: number): Promise<string | undefined> {
  await client.query('begin');
  try {
    await client.query(`alter table gazetteer_addresses attach partition ${importTable(generation)} for values in (${generation})`);
    const { rows: previous } = await client.query<{ generation: string }>(`select generation::text from gazetteer_current where council = $1 for update`, [
      council,
    ]);
    await client.query(
      `insert into gazetteer_current (council, generation) values ($1, $2) on conflict (council) do update set generation = excluded.generation`,
      [council, generation],
    );
    await client.query(`update gazetteer_imports set finished_at = now(), rows = $2 where generation = $1`, [generation, rows]);
    await client.query('commit');
    return previous[0]?.generation;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

/** Drops a replaced list (after the switch: readers of it have finished or hold it until they do). */
export async function dropGeneration(client: pg.ClientBase, generation: string): Promise<void> {
  await client.query(`drop table if exists ${importTable(generation)}`);
}

function found(r: AddressRecord): FoundAddress {
  return {
    uprn: r.uprn,
    lines: r.lines,
    ...(r.town ? { town: r.town } : {}),
    postcode: r.postcode,
    easting: r.easting,
    northing: r.northing,
    latitude: r.latitude,
    longitude: r.longitude,
    label: [...r.lines, r.town, r.postcode].filter(Boolean).join(', '),
  };
}

const NATURAL = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });
