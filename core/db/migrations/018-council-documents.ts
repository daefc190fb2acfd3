// Documents from the back office to the citizen: a process's documents gain the kind 'council' (a letter, a notice, a
// report the council or its back office adds), whether the citizen may see and download it, and an optional title; the
// timeline gains the kind 'document' for the entry that records it. Both kind checks are widened from whatever list
// they hold now (widen-check.ts), so this composes with other migrations that add kinds of their own.
import type { Migration } from '../migration-types.ts';
import { narrowInCheck, widenInCheck } from '../widen-check.ts';

export const up: Migration = async ({ context: sql }) => {
  await widenInCheck(sql, 'documents', 'kind', 'documents_kind_check', ['council']);
  await widenInCheck(sql, 'timeline_events', 'kind', 'timeline_events_kind_check', ['document']);
  await sql.query(`alter table documents
    add column visible_to_citizen boolean not null default false,
    add column title text`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query(`delete from documents where kind = 'council'`);
  await sql.query(`delete from timeline_events where kind = 'document'`);
  await sql.query('alter table documents drop column if exists visible_to_citizen, drop column if exists title');
  await narrowInCheck(sql, 'documents', 'kind', 'documents_kind_check', ['council']);
  await narrowInCheck(sql, 'timeline_events', 'kind', 'timeline_events_kind_check', ['document']);
};
