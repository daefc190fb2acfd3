// Baselines for the benchmark, in their own process like the hub: A = bare Koa + @koa/router POST returning JSON;
// B = the same plus one Postgres INSERT … RETURNING id per request.
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import pg from 'pg';

const [mode, port, databaseUrl] = process.argv.slice(2);
const pool = mode === 'B' ? new pg.Pool({ connectionString: databaseUrl, max: 10 }) : null;
if (pool) await pool.query('create table if not exists bench_baseline (id bigserial primary key, body jsonb not null, created_at timestamptz default now())');

const app = new Koa();
const router = new Router();
app.use(bodyParser());
router.post('/submit', async (ctx) => {
  if (pool) {
    const { rows } = await pool.query('insert into bench_baseline (body) values ($1) returning id', [
      JSON.stringify((ctx.request as { body?: unknown }).body ?? {}),
    ]);
    ctx.status = 201;
    ctx.body = { id: rows[0].id };
  } else {
    ctx.status = 201;
    ctx.body = { id: 1 };
  }
});
app.use(router.routes());
app.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
