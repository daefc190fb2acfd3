// First start on a fresh machine: if the configured database does not exist yet, create it (the server and user come
// from DATABASE_URL), so `npm ci && npm start` is all a council needs with Postgres running.
import { safePg as pg } from './safe-pg.ts';

export async function ensureDatabase(url: string): Promise<boolean> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err; // 3D000: invalid_catalog_name (no such database)
  } finally {
    await probe.end().catch(() => {});
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) throw new Error(`database name "${name}" is not one the hub will create; create it yourself`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // another process created it first
  } finally {
    await client.end();
  }
  return true;
}
