// A fresh Postgres database per test hub (dropped at the end), so runs never see each other's rows.
//
// A hub's database starts as a copy of a template that already has the hub's own migrations: running them took about a
// second of every hub's start, and the suite starts hundreds. The template is built once per version of the migrations
// (its name carries a hash of their source), under an advisory lock so that parallel test processes build it once.
// Tests of migrations themselves ask for an empty database.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Start with the hub's migrations already applied (a copy of the migrated template). */
  migrated?: boolean;
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `closeloop_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = options.migrated ? await migratedTemplate() : null;
  await withAdmin((admin) => admin.query(template ? `create database ${name} template ${template}` : `create database ${name}`));
  return {
    url: databaseUrl(name),
    name,
    async drop() {
      await withAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

const TEMPLATE_LOCK = 7_214_000_099;
/** Templates of migrations this old are dropped by the next run that builds one (nobody copies them any more). */
const TEMPLATE_DAYS_KEPT = 7;
let templateName: Promise<string> | null = null;

/** The name of the template with the current migrations applied, built by the first process that needs it. */
function migratedTemplate(): Promise<string> {
  templateName ??= buildTemplateOnce().catch((err: unknown) => {
    templateName = null;
    throw err;
  });
  return templateName;
}

/** A hash of the migrations' source: a change to any of them makes a new template. */
function migrationsHash(): string {
  const dir = fileURLToPath(new URL('../../core/db/migrations/', import.meta.url));
  const hash = createHash('sha256').update(readFileSync(new URL('../../core/db/migrate.ts', import.meta.url)));
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return hash.digest('hex').slice(0, 12);
}

async function buildTemplateOnce(): Promise<string> {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const name = `closeloop_tpl_${migrationsHash()}`;
  return withAdmin(async (admin) => {
    await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const found = await admin.query<{ datname: string }>("select datname from pg_database where datname like 'closeloop\\_tpl\\_%'");
      const existing = found.rows.find((r) => r.datname.startsWith(`${name}_`));
      if (existing) return existing.datname;
      for (const { datname } of found.rows) {
        const built = /_(\d{8})$/.exec(datname)?.[1];
        if (built && daysBetween(built, day) > TEMPLATE_DAYS_KEPT) await admin.query(`drop database if exists ${datname} with (force)`);
      }
      // Built under a name no one copies, then renamed: a copy never sees a half-migrated template.
      const building = `closeloop_build_${process.pid}_${randomBytes(4).toString('hex')}`;
      await admin.query(`create database ${building}`);
      try {
        const { connectDatabase, migrate } = await import('../../core/db/index.ts');
        const db = connectDatabase({ url: databaseUrl(building), poolMax: 2, applicationName: 'closeloop-test-template' });
        try {
          // On an empty database no migration has rows to fill in, so what it knows of closeloop.yaml does not matter.
          await migrate(db, { channels: {} });
        } finally {
          await db.close();
        }
        const dated = `${name}_${day}`;
        await admin.query(`alter database ${building} rename to ${dated}`);
        return dated;
      } catch (err) {
        await admin.query(`drop database if exists ${building} with (force)`);
        throw err;
      }
    } finally {
      await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}

function daysBetween(a: string, b: string): number {
  const date = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
  return (date(b) - date(a)) / 86_400_000;
}
