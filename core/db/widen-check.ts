// Widens a CHECK constraint of the form `column in ('a', 'b', …)` by adding values to whatever list it holds now, read
// from pg_constraint at migration time: migrations made in parallel that each add their own values compose in any order
// (none rewrites the list from a fixed copy and drops another's values).
import type { SqlRunner } from './migration-types.ts';

/** Adds `values` to the allowed list of `table`'s check constraint `name` (created when it does not exist). */
export async function widenInCheck(sql: SqlRunner, table: string, column: string, name: string, values: readonly string[]): Promise<void> {
  const [rows] = (await sql.query(
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c where c.conrelid = $1::regclass and c.conname = $2 and c.contype = 'c'`,
    [table, name],
  )) as [{ def: string }[], unknown];
  const current = rows[0] ? [...rows[0].def.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'")) : [];
  const all = [...new Set([...current, ...values])];
  const list = all.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
  // One statement, so the table is never without its check.
  await sql.query(`alter table ${table} ${rows[0] ? `drop constraint ${name}, ` : ''}add constraint ${name} check (${column} in (${list}))`);
}

/** Removes `values` from the list again (a migration's down). */
export async function narrowInCheck(sql: SqlRunner, table: string, column: string, name: string, values: readonly string[]): Promise<void> {
  const [rows] = (await sql.query(
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c where c.conrelid = $1::regclass and c.conname = $2 and c.contype = 'c'`,
    [table, name],
  )) as [{ def: string }[], unknown];
  if (!rows[0]) return;
  const remove = new Set(values);
  const kept = [...rows[0].def.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'")).filter((v) => !remove.has(v));
  const list = kept.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
  await sql.query(`alter table ${table} drop constraint ${name}, add constraint ${name} check (${column} in (${list}))`);
}
