// npm run bench: measures the loop against baselines taken in the same run, on this machine, and prints one table.
// Every figure is a ratio to a baseline or a target checked here — never an absolute time in a test.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import libxmljs from 'libxmljs2';
import { closedLoop, openLoop, percentile, type LoadResult } from './load.ts';
import { cpuMsByGroup, cpuShares, cpuSnapshot as snapshotAll, formatShares, hubCpuMs, sharesOf } from './cpu.ts';
import { standInForAutovacuum, type AutovacuumStandIn } from './autovacuum.ts';
import { describeActivity, watchPostgres, type PgActivity, type PostgresWatch } from './pg-activity.ts';
import { median, runCount, spread, workerCounts } from './summary.ts';
import { startWebhookReceiver } from '../test/peers/webhook-receiver.ts';
import { startSmtpPeer } from '../test/peers/smtp-server.ts';
import { pngBytes } from '../test/helpers/files.ts';
import { loadConfig } from '../core/config/index.ts';
import { loadServiceFiles } from '../core/services/index.ts';
import { compileMapping, loadXsd, renderXml, renderXmlTogether } from '../core/xml/index.ts';
import { sampleAnswers, sampleDocuments } from '../core/services/sample-answers.ts';
import { csrfOf, messageRequest, trackingLinksFor, updateCounter, updatesSince } from './updates.ts';
import { connectDatabase, migrate } from '../core/db/index.ts';
import { createApiKey } from '../core/auth/api-keys.ts';
import { signUpStaff } from '../test/staff/support.ts';
import type { TestHub } from '../test/helpers/hub.ts';
import { gazetteerBench } from './gazetteer.ts';
import { slowestNoteStages } from './note-stages.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = QUICK ? 3 : 10;
const E2E_SECONDS = QUICK ? 5 : 60;
/** BENCH_ONLY=notes: seconds of saturated submissions that make the processes the notes go to. */
const NOTES_FILL_SECONDS = QUICK ? 3 : 15;
const SCALE_ROWS = QUICK ? 50_000 : 1_000_000;
/** Worker processes of the end-to-end phase: BENCH_WORKERS=1,2,3 measures it with each; later phases run with the last. */
const WORKER_COUNTS = workerCounts(process.env.BENCH_WORKERS);
/** Each loaded phase runs this many times; the table shows the median and the spread (min–max). */
const RUNS = runCount(process.env.BENCH_RUNS, QUICK);
const WARMUP_SECONDS = QUICK ? 1 : 3;
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = 'closeloop_bench';
const DB_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DB}`);
const CONFIG = resolve('bench/config/closeloop.yaml');

interface Row {
  metric: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  target?: { text: string; ok: boolean };
  /** The figure of each run when the phase ran more than once (`value` is their median). */
  runs?: number[];
  /** Lines printed under the row: what each run of the phase saw (Postgres's activity, CPU). */
  detail?: string[];
}

/** One run of a loaded phase: its figures, the CPU each process group used and what Postgres was doing. */
interface PhaseRun {
  figures: Record<string, number>;
  seconds: number;
  cpuMs: Record<string, number>;
  postgres: PgActivity;
}

const rows: Row[] = [];
const rss: Record<string, number> = {};
/** Where the CPU went in the phases that load every role at once. */
const cpu: { phase: string; seconds: number; shares: { group: string; percent: number }[] }[] = [];
const rolePids = new Map<number, string>();
const children: ChildProcess[] = [];
/** Every run of every loaded phase, as recorded in bench/results. */
const phases: { phase: string; runs: PhaseRun[] }[] = [];
/** The end-to-end phase by number of worker processes, printed when BENCH_WORKERS lists more than one. */
const workerTable: string[] = [];
let pgWatch: PostgresWatch | undefined;
/** Autovacuum's work when the server has autovacuum off (bench/autovacuum.ts). */
let autovacuumStandIn: AutovacuumStandIn | undefined;

/** The harness's own Postgres connections: left out of the hub's CPU and of the wait samples. */
const harnessPids: number[] = [];
const HARNESS_PG = 'bench harness: its Postgres connections';

async function harnessClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
  harnessPids.push(pid);
  rolePids.set(pid, HARNESS_PG);
  return client;
}

const cpuSnapshot = (roles: Map<number, string>) => snapshotAll(roles, DB);

function log(msg: string) {
  process.stderr.write(`[bench] ${msg}\n`);
}

function sampleRss(name: string, child: ChildProcess): NodeJS.Timeout {
  return setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      rss[name] = Math.max(rss[name] ?? 0, kb / 1024);
    } catch {
      // the process has exited
    }
  }, 500);
}

async function waitHttp(url: string, seconds = 60) {
  for (let i = 0; i < seconds * 10; i++) {
    if (
      await fetch(url)
        .then((r) => r.status < 500)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** One measured run of a loaded phase: the CPU of every process and what Postgres was doing, around `work`. */
async function instrumented<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; cpuMs: Record<string, number>; postgres: PgActivity }> {
  // Autovacuum's work since the last run, before this one (bench/autovacuum.ts), when the server has autovacuum off.
  const vacuumed = await autovacuumStandIn?.pass();
  if (vacuumed) log(`  before the run, autovacuum's stand-in: ${vacuumed}`);
  await pgWatch!.start();
  const before = cpuSnapshot(rolePids);
  const t0 = performance.now();
  const result = await work();
  const seconds = (performance.now() - t0) / 1000;
  const after = cpuSnapshot(rolePids);
  const postgres = await pgWatch!.stop();
  return { result, seconds, cpuMs: cpuMsByGroup(before, after), postgres };
}

/** CPU milliseconds of the hub under test (roles, Postgres for the bench database, Redis) per case; NaN for none. */
const cpuPerCase = (cpuMs: Record<string, number>, cases: number) => (cases > 0 ? hubCpuMs(cpuMs) / cases : NaN);

/** WAL per case: its kilobytes and its full-page images (pages written whole, the first change after a checkpoint). */
const walPerCase = (postgres: PgActivity, cases: number) =>
  cases > 0 ? { walKb: postgres.wal.bytes / 1024 / cases, fpi: postgres.wal.fullPageImages / cases } : { walKb: NaN, fpi: NaN };

const WAL_FIGURES = (phase: string): FigureDef[] => [
  { key: 'walKb', short: 'WAL KB/subm', metric: `${phase}: WAL per accepted submission`, unit: 'KB' },
  { key: 'fpi', short: 'full pages/subm', metric: `${phase}: full-page images per accepted submission`, unit: 'pages' },
];

interface FigureDef {
  key: string;
  metric: string;
  unit: string;
  /** Its name in a run's line under the phase. */
  short: string;
  baseline?: Row['baseline'];
  target?: (median: number) => { text: string; ok: boolean };
}

const CPU_METHOD =
  "CPU ms per case: user + system time (/proc/<pid>/stat) of the hub roles, the Postgres backends of the bench database and the server's background processes, and Redis, over the run (until the last message is sent), divided by the cases completed; the harness and other databases' backends apart";

/**
 * The rows of a phase that ran RUNS times: each figure's median (its runs' min–max beside it), then a line for each run
 * with its figures and what Postgres did meanwhile, so a run's tail can be read against a checkpoint, a vacuum or a wait.
 */
function phaseRows(name: string, runs: PhaseRun[], defs: FigureDef[]) {
  // Only the measurements are recorded (a run's spread-in load result holds every request).
  phases.push({ phase: name, runs: runs.map(({ figures, seconds, cpuMs, postgres }) => ({ figures, seconds, cpuMs, postgres })) });
  for (const d of defs) {
    const xs = runs.map((r) => r.figures[d.key] ?? NaN).filter((x) => Number.isFinite(x));
    const value = median(xs);
    const row: Row = { metric: d.metric, value, unit: d.unit, runs: xs };
    if (d.baseline) row.baseline = d.baseline;
    if (d.target) row.target = d.target(value);
    rows.push(row);
  }
  rows[rows.length - 1]!.detail = runs.map(
    (r, k) =>
      `run ${k + 1} (${r.seconds.toFixed(0)} s): ${defs.map((d) => `${d.short} ${(r.figures[d.key] ?? NaN).toFixed(1)}`).join(', ')}\n` +
      `      Postgres: ${describeActivity(r.postgres, pgWatch!.server.autovacuum)}`,
  );
  const total: Record<string, number> = {};
  for (const r of runs) for (const [group, ms] of Object.entries(r.cpuMs)) total[group] = (total[group] ?? 0) + ms;
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  cpu.push({ phase: `${name}${runs.length > 1 ? ` (${runs.length} runs)` : ''}`, seconds, shares: sharesOf(total, seconds) });
}

/** The heap cap the roles run with, as in docker-compose.yml: without one V8 grows the heap to the machine's memory. */
// The same heap settings as docker-compose.yml. The young generation's size is set too: V8 sizes it from the old-space
// cap (about 1 MB a semi-space at 160 MB), so ten pages in flight at once promoted their short-lived objects and the
// serve role ran a full mark-compact for almost every page (323 in the 1M-case staff phase, 45–170% of a core). With
// 16 MB semi-spaces: 9, and the staff console's pages/s without pauses rose from ~75 to ~126.
const ROLE_NODE_OPTIONS = process.env.BENCH_ROLE_NODE_OPTIONS ?? '--max-old-space-size=160 --max-semi-space-size=16';

function role(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // BENCH_PROFILE=DIR writes each role's CPU profile there (open it in Chrome's DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_PROFILE)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'core/cli.ts', ...args, '--config', CONFIG], {
    env: { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, ROLE_NODE_OPTIONS].filter(Boolean).join(' ') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  if (child.pid) rolePids.set(child.pid, `${name} role`);
  const timer = sampleRss(name, child);
  child.once('exit', () => clearInterval(timer));
  return child;
}

// Names and postcodes as real cases have them, for the intake phases and the million-case fill alike (fillScale makes
// the same in SQL): names from 8 × 8 × 97, ~20,000 postcodes with inward letters a citizen's form accepts. Every submission of the intake phases once carried one name and one
// postcode: in a full run the staff console's searches then met 60,000 cases of today with "Sam Resident" at EX4 4QJ,
// which no council has, and walked past them (a search by name 40 ms, by that postcode 0.5 s).
const FIRST_NAMES = ['Alex', 'Priya', 'Sam', 'Chris', 'Jo', 'Mohammed', 'Olivia', 'Wei'];
const LAST_NAMES = ['Smith', 'Patel', 'Jones', 'Taylor', 'Brown', 'Khan', 'Evans', 'Nowak'];
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const benchName = (i: number) => `${FIRST_NAMES[i % 8]} ${LAST_NAMES[Math.floor(i / 8) % 8]} ${i % 97}`;
const benchPostcode = (i: number) => `EX${1 + (i % 99)} ${Math.floor(i / 99) % 10}${INWARD_LETTERS[Math.floor(i / 990) % 20]}B`;

const noiseAnswers = (i: number) => ({
  noiseType: 'music',
  noiseSource: { line1: `${i % 200} Mill Lane`, town: 'Exampleton', postcode: benchPostcode(i) },
  whenHappens: ['evening', 'night'],
  frequency: 'daily',
  startedOn: '2026-10-12',
  impact: `Loud music every night until 3am; I cannot sleep and my children cannot do their homework. Request ${i}. `.repeat(4),
  spokenToNeighbour: 'yes',
  neighbourResponse: 'They said they would turn it down but nothing changed.',
  fullName: benchName(i),
  email: `resident${i}@example.com`,
  homeAddress: { line1: '16 Mill Lane', town: 'Exampleton', postcode: benchPostcode(i) },
});

const body = (i: number) => Buffer.from(JSON.stringify({ answers: noiseAnswers(i) }));

async function xmlBench() {
  log('XML: mapping + XSD validation vs raw libxmljs2 parse + validate');
  const config = loadConfig(resolve('config/closeloop.yaml'), { ...process.env });
  const svc = loadServiceFiles(config.paths.services, {
    bindings: new Set(Object.keys(config.bindings)),
    channels: new Set(Object.keys(config.channels)),
    xsdDir: config.paths.xsd,
  }).services.find((s) => s.definition.id === 'noise-complaint')!.definition;
  const mapping = compileMapping(svc.xml!.mapping);
  const input = {
    process: { id: randomUUID(), reference: 'NOI-ABCD2345', serviceId: svc.id, serviceVersion: 1, submittedAt: new Date().toISOString() },
    answers: sampleAnswers(svc),
    documents: sampleDocuments(svc),
  };
  const xml = renderXml(mapping, config.paths.xsd, svc.xml!.xsd, input).xml;
  const xsd = loadXsd(config.paths.xsd, svc.xml!.xsd);
  // Both are warmed up, then measured in alternating slices, so drift on a shared VM (frequency, a neighbour, GC from
  // the previous slice) falls on both alike.
  // Each slice ends with a full GC inside its own timing (node --expose-gc, as `npm run bench` runs): libxml2 documents
  // are freed by the GC, so without it one side's garbage is collected, and billed, during the other side's slice.
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const run = (fn: () => void, ms: number) => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() < t0 + ms) {
      fn();
      n++;
    }
    gc();
    return { n, ms: performance.now() - t0 };
  };
  const rawOnce = () => {
    const doc = libxmljs.parseXml(xml);
    if (!doc.validate(xsd.doc)) throw new Error('invalid');
  };
  const oursOnce = () => {
    if (!renderXml(mapping, config.paths.xsd, svc.xml!.xsd, input).valid) throw new Error('invalid');
  };
  run(rawOnce, 1000);
  run(oursOnce, 1000);
  // Paired slices: each pair's ratio is taken on the same few hundred milliseconds of machine, and the median pair is
  // reported (a shared VM's speed drifts by tens of per cent within a run).
  const pairs: { raw: number; ours: number }[] = [];
  for (let slice = 0; slice < 30; slice++) {
    const r = run(rawOnce, SECONDS * 20);
    const o = run(oursOnce, SECONDS * 20);
    pairs.push({ raw: r.n / (r.ms / 1000), ours: o.n / (o.ms / 1000) });
  }
  pairs.sort((x, y) => x.ours / x.raw - y.ours / y.raw);
  const { raw, ours } = pairs[Math.floor(pairs.length / 2)]!;
  rows.push({
    metric: `XML: map + validate (${Buffer.byteLength(xml)} B doc)`,
    value: ours,
    unit: 'docs/s',
    baseline: { name: 'raw libxmljs2 parse+validate', value: raw },
    target: { text: '≥ 0.8 × raw', ok: ours >= 0.8 * raw },
  });
  // The delivery worker validates the documents of one turn together (core/xml/validate-together.ts): libxmljs2 compiles
  // the schema on every validate(), once for all of them so. Measured as a claim batch of 16 deliveries reaches it.
  const together = async (ms: number) => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() < t0 + ms) {
      const results = await Promise.all(Array.from({ length: 16 }, () => renderXmlTogether(mapping, config.paths.xsd, svc.xml!.xsd, input)));
      if (!results.every((r) => r.valid)) throw new Error('invalid');
      n += 16;
    }
    gc();
    return n / ((performance.now() - t0) / 1000);
  };
  await together(1000);
  const rates: { raw: number; together: number }[] = [];
  for (let slice = 0; slice < 10; slice++) {
    const r = run(rawOnce, SECONDS * 20);
    rates.push({ raw: r.n / (r.ms / 1000), together: await together(SECONDS * 20) });
  }
  rates.sort((x, y) => x.together / x.raw - y.together / y.raw);
  const mid = rates[Math.floor(rates.length / 2)]!;
  rows.push({
    metric: `XML: map + validate, 16 documents together (the delivery worker)`,
    value: mid.together,
    unit: 'docs/s',
    baseline: { name: 'raw libxmljs2 parse+validate', value: mid.raw },
  });
}

async function baseline(mode: 'A' | 'B', body: Buffer): Promise<LoadResult> {
  const port = 4100 + (mode === 'A' ? 1 : 2);
  const child = fork(resolve('bench/baseline-server.ts'), [mode, String(port), DB_URL], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  await new Promise((r) => child.once('message', r));
  const request = () => ({ method: 'POST', path: '/submit', headers: { 'content-type': 'application/json' }, body });
  await closedLoop(`http://127.0.0.1:${port}`, 50, WARMUP_SECONDS, request);
  const result = await closedLoop(`http://127.0.0.1:${port}`, 50, SECONDS, request);
  await stop(child);
  return result;
}

/** The scale phase's million cases (50,000 with BENCH_QUICK), straight into the tables. */
async function fillScale(db: pg.Client) {
  log(`scale: ${SCALE_ROWS.toLocaleString()} processes`);
  const t0 = Date.now();
  await db.query(
    `with s as (
       select i, gen_random_uuid() as id, translate(rtrim(encode(sha256(convert_to('bench-' || i, 'UTF8')), 'base64'), '='), '+/', '-_') as token
       from generate_series(1, $1) i
     ), p as (
       insert into processes (id, reference, service_id, service_version, status, answers, contact, submitted_at, updated_at)
       select id, 'BEN-' || i, 'noise-complaint', (select max(version) from service_versions where service_id = 'noise-complaint'), 'received',
         -- Names, e-mail addresses and postcodes as real cases have them, so the staff console's searches meet real indexes:
         -- ~20,000 postcodes of ~50 cases each, names from a few hundred; one every 150 s (a million over ~4.8 years).
         -- (benchName and benchPostcode, made here by Postgres.)
         jsonb_build_object('noiseType', 'music', 'homeAddress', jsonb_build_object('line1', (i % 200) || ' Mill Lane', 'postcode', 'EX' || (1 + i % 99) || ' ' || ((i / 99) % 10) || substr($4, 1 + (i / 990) % 20, 1) || 'B')),
         jsonb_build_object('name', ($2::text[])[1 + i % 8] || ' ' || ($3::text[])[1 + (i / 8) % 8] || ' ' || (i % 97), 'email', 'resident' || i || '@example.com'), now() - (i * 150 || ' seconds')::interval, now() - (i * 150 || ' seconds')::interval
       from s
     )
     insert into tracking_tokens (hash, process_id) select sha256(convert_to(token, 'UTF8')), id from s`,
    [SCALE_ROWS, FIRST_NAMES, LAST_NAMES, INWARD_LETTERS],
  );
  await db.query('analyze processes; analyze tracking_tokens; analyze tasks; analyze timeline_events; analyze documents');
  // Write the bulk insert out now, so the measurements below do not pay for its checkpoint.
  await db.query('checkpoint');
  log(`  inserted in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/**
 * The staff console at scale: an operator made with `closeloop staff create`'s function signs in through the real pages
 * (password, then a TOTP code computed as a phone would), then 10 staff at once ask for a mix of pages.
 */
async function staffBench(db: pg.Client, env: NodeJS.ProcessEnv, hubUrl: string) {
  const config = loadConfig(CONFIG, env);
  const hub = { config, url: hubUrl } as unknown as TestHub;
  // Ten people, each signed in with a session of their own (as an office would be).
  const cookies: string[] = [];
  for (let n = 0; n < 10; n++) {
    const operator = await signUpStaff(hub, { role: 'operator', name: `Bench Operator ${n + 1}`, email: `bench-${n + 1}-${Date.now()}@example.org` });
    cookies.push(
      [...operator.browser.cookies.entries()]
        .filter(([key]) => key.startsWith('/staff ') || key.startsWith('/ '))
        .map(([key, value]) => `${key.split(' ')[1]}=${value}`)
        .join('; '),
    );
  }
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const { rows: sample } = await db.query(
    `select id, reference, contact->>'name' as name, answers->'homeAddress'->>'postcode' as postcode from processes
     where contact ? 'name' order by random() limit 200`,
  );
  const kinds: Record<string, () => string> = {
    overview: () => '/staff/overview',
    'cases, first page': () => '/staff/cases',
    'cases by postcode': () => `/staff/cases?postcode=${encodeURIComponent(pick(sample).postcode)}`,
    'cases by reference': () => `/staff/cases?reference=${encodeURIComponent(pick(sample).reference)}`,
    'cases by name': () => `/staff/cases?name=${encodeURIComponent(pick(sample).name.split(' ').slice(0, 2).join(' '))}`,
    'a case': () => `/staff/cases/${pick(sample).id}`,
    deliveries: () => '/staff/deliveries',
    audit: () => '/staff/audit',
  };
  const names = Object.keys(kinds);
  const next = (i: number) => {
    const kind = names[i % names.length]!;
    return { method: 'GET', path: kinds[kind]!(), headers: { cookie: cookies[i % cookies.length]!, accept: 'text/html' } };
  };
  // Ten people at work: each opens a page, reads it for 0.5–1.5 s (a brisk pace: people read for longer) and opens the
  // next. This is the load the target is for: "within 100 ms at 10 concurrent staff".
  const thinkSeconds = QUICK ? 10 : 60;
  log(`staff console: 10 staff at ${SCALE_ROWS.toLocaleString()} cases, ${thinkSeconds} s, 0.5–1.5 s on each page`);
  await closedLoop(hubUrl, 10, WARMUP_SECONDS, next);
  const staffCpu = cpuSnapshot(rolePids);
  const byKind = new Map<string, number[]>(names.map((k) => [k, []]));
  const run = await closedLoop(
    hubUrl,
    10,
    thinkSeconds,
    next,
    (i, ms) => byKind.get(names[i % names.length]!)!.push(ms),
    () => 500 + Math.random() * 1000,
  );
  cpu.push({ phase: 'staff console, 10 staff at work', seconds: run.seconds, shares: cpuShares(staffCpu, cpuSnapshot(rolePids), run.seconds) });
  const bad = Object.entries(run.statuses).filter(([status]) => status !== '200');
  for (const kind of names) {
    const l = byKind.get(kind)!.sort((x, y) => x - y);
    const p99 = percentile(l, 99);
    rows.push({
      metric: `staff page: ${kind} (p50 ${percentile(l, 50).toFixed(1)} ms, ${l.length} requests)`,
      value: p99,
      unit: 'ms p99',
      target: { text: '≤ 100 ms p99', ok: p99 <= 100 },
    });
  }
  rows.push({
    metric: `staff pages, 10 staff at work at ${SCALE_ROWS.toLocaleString()} cases: ${run.requests} pages, p50 ${run.p50.toFixed(1)} ms${bad.length ? `, non-200: ${bad.map(([st, n]) => `${st}×${n}`).join(' ')}` : ''}`,
    value: run.p99,
    unit: 'ms p99',
    target: { text: '≤ 100 ms p99', ok: run.p99 <= 100 && bad.length === 0 },
  });

  // The console's capacity: the same ten with no pause at all (each asks again the moment a page arrives). Latency here
  // is queueing behind the other nine, so it has no target; pages/s is the figure.
  log(`staff console: 10 staff with no pause, ${SECONDS} s`);
  const flatCpu = cpuSnapshot(rolePids);
  const flat = await closedLoop(hubUrl, 10, SECONDS, next);
  cpu.push({ phase: 'staff console, 10 staff, no pause', seconds: flat.seconds, shares: cpuShares(flatCpu, cpuSnapshot(rolePids), flat.seconds) });
  rows.push({
    metric: `staff pages, 10 staff with no pause: p50 ${flat.p50.toFixed(1)} ms, p99 ${flat.p99.toFixed(1)} ms`,
    value: flat.rps,
    unit: 'pages/s',
  });
}

/** Worker processes as docker-compose.yml deploys them (two replicas; each scales out on its own), given 3 s to start. */
async function startWorkers(count: number, env: NodeJS.ProcessEnv): Promise<ChildProcess[]> {
  const workers = Array.from({ length: count }, (_, i) => role(count > 1 ? `worker ${i + 1}` : 'worker', ['worker'], env));
  await new Promise((r) => setTimeout(r, 3000));
  return workers;
}

/** Marks the deliveries and messages of submissions no worker has taken (the intake phases') as done. */
async function markIntakeDone(db: pg.Client) {
  await db.query(`update deliveries set status = 'delivered' where status = 'pending'`);
  await db.query(`update notifications set status = 'skipped' where status = 'pending'`);
}

/**
 * What autovacuum would have done by now on a council's Postgres (on by default; the shared Postgres the bench runs on
 * has it off): the intake phases' 60,000 cases and the updates above leave dead rows, statistics that have never seen
 * today's cases, and GIN pending lists that every postcode search reads through.
 */
async function vacuumAsAutovacuumWould(db: pg.Client) {
  const t0 = Date.now();
  await db.query('vacuum (analyze) processes, deliveries, notifications, tracking_tokens, timeline_events, tasks');
  log(`  vacuum and analyze after the intake phases: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** BENCH_ONLY=loop: the serve role, warmed up, for the phases from end to end onwards. */
async function serveWarmedUp(env: NodeJS.ProcessEnv, hubUrl: string): Promise<ChildProcess> {
  const serve = role('serve', ['serve'], env);
  await waitHttp(`${hubUrl}/healthz`);
  await closedLoop(hubUrl, 50, WARMUP_SECONDS, (i) => ({
    method: 'POST',
    path: '/api/v1/services/noise-complaint/submissions',
    headers: { 'content-type': 'application/json' },
    body: body(i + 3e7),
  }));
  return serve;
}

/** Intake with a 200 KB evidence file, beside intake JSON. */
async function intakeWithFile(hubUrl: string, intakeRps: number) {
  const boundary = 'closeloopbench';
  const png = pngBytes(200 * 1024, 'bench');
  const multipart = (i: number) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="answers"\r\n\r\n${JSON.stringify(noiseAnswers(i))}\r\n--${boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="photo-${i}.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      // Each file differs (the store is content-addressed) so every request writes its 200 KB.
      Buffer.concat([png.subarray(0, 40), Buffer.from(String(i).padStart(12, '0')), png.subarray(52)]),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  const intakeFile = await closedLoop(hubUrl, 20, SECONDS, (i) => ({
    method: 'POST',
    path: '/api/v1/services/noise-complaint/submissions',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: multipart(i),
  }));
  rows.push({
    metric: `intake with a 200 KB file, p50 ${intakeFile.p50.toFixed(1)} ms, p99 ${intakeFile.p99.toFixed(1)} ms (errors ${intakeFile.errors})`,
    value: intakeFile.rps,
    unit: 'subm/s',
    baseline: { name: 'intake JSON', value: intakeRps },
  });
}

/** The baselines, intake, tracking and the staff console at scale; returns the serve role it started. */
async function intakeAndScale(env: NodeJS.ProcessEnv, hubUrl: string, db: pg.Client): Promise<ChildProcess> {
  const json1k = Buffer.from(JSON.stringify({ answers: noiseAnswers(0) }));
  log(`baselines A and B (${json1k.length} B JSON, 50 connections, ${SECONDS} s each)`);
  const a = await baseline('A', json1k);
  const b = await baseline('B', json1k);
  rows.push({ metric: 'baseline A: bare Koa POST', value: a.rps, unit: 'req/s' });
  rows.push({ metric: 'baseline B: Koa + one INSERT … RETURNING', value: b.rps, unit: 'req/s', baseline: { name: 'A', value: a.rps } });

  log('intake through the hub (serve role)');
  const serve = role('serve', ['serve'], env);
  await waitHttp(`${hubUrl}/healthz`);
  // Every server measured here is warmed up first (JIT, pools, prepared statements), the baselines as much as the hub.
  await closedLoop(hubUrl, 50, WARMUP_SECONDS, (i) => ({
    method: 'POST',
    path: '/api/v1/services/noise-complaint/submissions',
    headers: { 'content-type': 'application/json' },
    body: body(i + 3e7),
  }));
  const intakeRuns: PhaseRun[] = [];
  for (let k = 0; k < RUNS; k++) {
    const run = await instrumented(() =>
      closedLoop(hubUrl, 50, SECONDS, (i) => ({
        method: 'POST',
        path: '/api/v1/services/noise-complaint/submissions',
        headers: { 'content-type': 'application/json' },
        body: body(i + k * 1e6),
      })),
    );
    const r = run.result;
    intakeRuns.push({
      ...run,
      figures: { rps: r.rps, p50: r.p50, p99: r.p99, cpu: cpuPerCase(run.cpuMs, r.requests - r.errors), ...walPerCase(run.postgres, r.requests - r.errors) },
    });
  }
  const intakeRps = median(intakeRuns.map((r) => r.figures.rps!));
  phaseRows('intake JSON (serve role only)', intakeRuns, [
    {
      key: 'rps',
      short: 'subm/s',
      metric: `intake JSON (~${json1k.length} B)`,
      unit: 'subm/s',
      baseline: { name: 'B', value: b.rps },
      target: (v) => ({ text: '≥ 0.5 × B', ok: v >= 0.5 * b.rps }),
    },
    { key: 'p50', short: 'p50', metric: 'intake JSON: p50', unit: 'ms' },
    { key: 'p99', short: 'p99', metric: 'intake JSON: p99', unit: 'ms' },
    { key: 'cpu', short: 'CPU ms/subm', metric: 'intake JSON: CPU per accepted submission', unit: 'ms CPU' },
    ...WAL_FIGURES('intake JSON'),
  ]);
  if (process.env.BENCH_ONLY === 'intake') return serve;
  if (process.env.BENCH_ONLY !== 'scale') await intakeWithFile(hubUrl, intakeRps);
  await fillScale(db);
  // The same tokens as the SQL above: base64url(sha256('bench-<i>')), 43 characters like real ones.
  const tokenOf = (i: number) => createHash('sha256').update(`bench-${i}`).digest('base64url');
  const track = () => ({ method: 'GET', path: `/api/v1/track/${tokenOf(1 + Math.floor(Math.random() * SCALE_ROWS))}` });
  const tracking = await closedLoop(hubUrl, 20, SECONDS, track);
  rows.push({
    metric: `tracking lookups at ${SCALE_ROWS.toLocaleString()} processes, saturated (p99 ${tracking.p99.toFixed(1)} ms, 404s ${tracking.statuses['404'] ?? 0})`,
    value: tracking.rps,
    unit: 'req/s',
  });
  // Latency is judged at a steady load a council would see in a surge, not at saturation.
  const trackingSteady = await openLoop(hubUrl, 300, SECONDS, track);
  rows.push({
    metric: `tracking p99 at 300 lookups/s (p50 ${trackingSteady.p50.toFixed(1)} ms)`,
    value: trackingSteady.p99,
    unit: 'ms',
    target: { text: '≤ 20 ms', ok: trackingSteady.p99 <= 20 },
  });
  // Warmed up as the near-empty phase is, so both are measured alike. Without it the first run paid for the first change
  // to each page of the random-keyed indexes (reference, e-mail, tracking hash) after the fill's checkpoint: a full-page
  // image in the WAL for each (0.5 per submission in the first run of 5 December 2026, under 0.1 in the runs after).
  await closedLoop(hubUrl, 50, WARMUP_SECONDS, (i) => ({
    method: 'POST',
    path: '/api/v1/services/noise-complaint/submissions',
    headers: { 'content-type': 'application/json' },
    body: body(i + 7e7),
  }));
  const bigRuns: PhaseRun[] = [];
  for (let k = 0; k < RUNS; k++) {
    const run = await instrumented(() =>
      closedLoop(hubUrl, 50, SECONDS, (i) => ({
        method: 'POST',
        path: '/api/v1/services/noise-complaint/submissions',
        headers: { 'content-type': 'application/json' },
        body: body(i + 1e7 + k * 1e6),
      })),
    );
    const r = run.result;
    bigRuns.push({
      ...run,
      figures: { rps: r.rps, p99: r.p99, cpu: cpuPerCase(run.cpuMs, r.requests - r.errors), ...walPerCase(run.postgres, r.requests - r.errors) },
    });
  }
  phaseRows(`intake at ${SCALE_ROWS.toLocaleString()} processes`, bigRuns, [
    {
      key: 'rps',
      short: 'subm/s',
      metric: `intake at ${SCALE_ROWS.toLocaleString()} processes`,
      unit: 'subm/s',
      baseline: { name: 'intake on a near-empty table', value: intakeRps },
      target: (v) => ({ text: 'within 10%', ok: v >= 0.9 * intakeRps }),
    },
    { key: 'p99', short: 'p99', metric: `intake at ${SCALE_ROWS.toLocaleString()} processes: p99`, unit: 'ms' },
    { key: 'cpu', short: 'CPU ms/subm', metric: `intake at ${SCALE_ROWS.toLocaleString()} processes: CPU per accepted submission`, unit: 'ms CPU' },
    ...WAL_FIGURES(`intake at ${SCALE_ROWS.toLocaleString()} processes`),
  ]);
  // The intake runs' submissions, never delivered (no worker runs in these phases), are marked done first: the staff
  // phase measures a million cases as BENCH_ONLY=staff does. With them left waiting (~60,000 deliveries and messages),
  // the run of 5 December 2026 measured an overview p50 of 6.7 s and a deliveries page of 1.4 s (README).
  if (process.env.BENCH_ONLY === 'scale') return serve;
  await markIntakeDone(db);
  await vacuumAsAutovacuumWould(db);
  await staffBench(db, env, hubUrl);
  return serve;
}

async function main() {
  mkdirSync('bench/results', { recursive: true });
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  await admin.end();
  pgWatch = await watchPostgres(ADMIN_URL, DB_URL, DB, () => harnessPids);
  for (const pid of pgWatch.pids) rolePids.set(pid, HARNESS_PG);
  if (!pgWatch.server.autovacuum) autovacuumStandIn = await standInForAutovacuum(DB_URL);
  const receiverSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startWebhookReceiver(receiverSecret);
  const smtp = await startSmtpPeer();
  const env = {
    ...process.env,
    DATABASE_URL: DB_URL,
    REDIS_PREFIX: `closeloop-bench-${randomBytes(3).toString('hex')}`,
    BENCH_RECEIVER_URL: receiver.url,
    BENCH_WEBHOOK_SECRET: receiverSecret,
    BENCH_SMTP_PORT: String(smtp.port),
    DOCUMENTS_PATH: `/tmp/closeloop-bench-docs-${process.pid}`,
    LOG_LEVEL: 'warn',
  };
  const hubUrl = 'http://127.0.0.1:3999';

  if (process.env.BENCH_ONLY === 'gazetteer') {
    await gazetteer(env);
    await receiver.close();
    await smtp.close();
    return print();
  }

  if (!['loop', 'notes', 'intake', 'scale'].includes(process.env.BENCH_ONLY ?? '')) await xmlBench();
  if (process.env.BENCH_ONLY === 'xml') {
    await receiver.close();
    await smtp.close();
    return print();
  }

  if (process.env.BENCH_ONLY === 'staff') {
    const serve = role('serve', ['serve'], env);
    await waitHttp(`${hubUrl}/healthz`);
    const db = await harnessClient();
    await fillScale(db);
    await staffBench(db, env, hubUrl);
    await stop(serve);
    await db.end();
    await receiver.close();
    await smtp.close();
    return print();
  }

  const loopOnly = process.env.BENCH_ONLY === 'loop';
  const notesOnly = process.env.BENCH_ONLY === 'notes';
  const db = await harnessClient();
  const serve = loopOnly || notesOnly ? await serveWarmedUp(env, hubUrl) : await intakeAndScale(env, hubUrl, db);
  if (process.env.BENCH_ONLY === 'intake' || process.env.BENCH_ONLY === 'scale') {
    await stop(serve);
    await db.end();
    await receiver.close();
    await smtp.close();
    return print();
  }

  // Deliveries queued by the intake runs are cleared so the run measures only its own submissions.
  await markIntakeDone(db);
  const e2eFrom = new Date();
  /** Submissions at 50 connections for `seconds`, then until each is delivered and the citizens' messages are sent. */
  const saturate = async (seconds: number, offset: number) => {
    const before = receiver.requests.length;
    const start = Date.now();
    const load = await closedLoop(hubUrl, 50, seconds, (i) => ({
      method: 'POST',
      path: '/api/v1/services/noise-complaint/submissions',
      headers: { 'content-type': 'application/json' },
      body: body(i + offset),
    }));
    const submitted = load.requests - load.errors;
    await receiver.waitFor((r) => r.requests.length - before >= submitted, 300_000).catch(() => log('  not every delivery arrived'));
    const got = receiver.requests.slice(before);
    const end = got.length ? got[got.length - 1]!.at : Date.now();
    // The citizen's messages are part of what a submission costs: a run's CPU is counted until they are sent.
    await drainNotifications(db);
    return { submitted, got, start, end };
  };
  let workers: ChildProcess[] = [];
  if (notesOnly) {
    // BENCH_ONLY=notes: enough delivered processes for the notes phases, unmeasured, then the notes phases alone.
    const count = WORKER_COUNTS[WORKER_COUNTS.length - 1]!;
    log(`notes only: serve + ${count} worker process(es), ${NOTES_FILL_SECONDS} s of submissions to note on`);
    workers = await startWorkers(count, env);
    await saturate(NOTES_FILL_SECONDS, 6e7);
  }
  const byWorkers: { count: number; runs: PhaseRun[] }[] = [];
  for (const [n, count] of (notesOnly ? [] : WORKER_COUNTS).entries()) {
    log(`end to end: serve + ${count} worker process(es), ${E2E_SECONDS} s of submissions, to the webhook receiver (${RUNS} run(s))`);
    workers = await startWorkers(count, env);
    // Warmed up (JIT, pools, prepared statements) on a short burst of their own, as the other servers are.
    await saturate(WARMUP_SECONDS, 5e7 + n * 1e6);
    const runs: PhaseRun[] = [];
    for (let k = 0; k < RUNS; k++) {
      const run = await instrumented(() => saturate(E2E_SECONDS, 2e7 + (n * RUNS + k) * 1e6));
      const { submitted, got, start, end } = run.result;
      const latencies = got
        .map((r) => r.at - Date.parse(/<ReceivedAt>([^<]+)<\/ReceivedAt>/.exec(r.body)?.[1] ?? ''))
        .filter((x) => Number.isFinite(x))
        .sort((x, y) => x - y);
      runs.push({
        ...run,
        figures: {
          rate: got.length / ((end - start) / 1000),
          undelivered: submitted - got.length,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          cpu: cpuPerCase(run.cpuMs, got.length),
        },
      });
    }
    byWorkers.push({ count, runs });
    const name = `end to end (serve + ${count} worker${count > 1 ? 's' : ''})`;
    phaseRows(name, runs, [
      { key: 'rate', short: 'deliv/s', metric: name, unit: 'deliv/s', target: (v) => ({ text: `≥ 1,100/s for ${E2E_SECONDS} s`, ok: v >= 1100 }) },
      { key: 'undelivered', short: 'undelivered', metric: `${name}: submitted, not delivered`, unit: 'subm' },
      { key: 'p50', short: 'p50', metric: `${name}: submit→delivered p50`, unit: 'ms' },
      { key: 'p99', short: 'p99', metric: `${name}: submit→delivered p99`, unit: 'ms' },
      { key: 'cpu', short: 'CPU ms/deliv', metric: `${name}: CPU per delivered submission`, unit: 'ms CPU' },
    ]);
    // The phases after this one run with the last count's workers.
    if (n < WORKER_COUNTS.length - 1) for (const w of workers) await stop(w);
    // The harness keeps no more than a phase's requests: 100,000 kept XML bodies slow its every garbage collection.
    receiver.reset();
  }
  if (byWorkers.length > 1) workerTable.push(...workerCountTable(byWorkers));

  // Each run drained its own messages (one or two per submission), so notes are measured on their own.
  if (!notesOnly) await messagesPerSubmission(db, e2eFrom, new Date(), smtp, `saturated, ${E2E_SECONDS} s`);
  // Counted: the harness lets them go (see noteArrivals).
  smtp.messages.length = 0;

  if (!notesOnly) await steadyPhase(db, hubUrl, receiver, smtp);
  smtp.messages.length = 0;

  // Processes the end-to-end and steady phases delivered: the notes go to them.
  const { rows: procs } = await db.query(
    `select p.id from processes p where p.service_id = 'noise-complaint' and p.contact ? 'email' and p.status = 'received' and p.reference not like 'BEN-%' order by p.submitted_at desc limit $1`,
    [QUICK ? 600 : 4000],
  );
  const hubDb = connectDatabase({ url: DB_URL, poolMax: 2 });
  await migrate(hubDb, loadConfig(CONFIG, env));
  const { key } = await createApiKey(hubDb, { name: 'Bench back office', services: ['*'] });
  await hubDb.close();
  // At saturation on these 2 cores (the issue's 200/s), and at a load that leaves the machine headroom (a council's peak).
  const noteTo = procs.map((p) => p.id as string);
  // The note's way warmed up (JIT, the key cache, prepared statements, the SMTP connections), as every measured server
  // is: cold, the first run at 200/s on these 2 cores fell behind and its notes waited seconds for their answer.
  await openLoop(hubUrl, 50, WARMUP_SECONDS, (i) => noteRequest(key, noteTo[i % noteTo.length]!, `Bench note warm-up ${i}.`));
  await notesPhase({ rate: 200, targetMs: 250, procs: noteTo, key, hubUrl, smtp, db });
  await notesPhase({ rate: 50, targetMs: 100, procs: noteTo, key, hubUrl, smtp, db });
  await updatesPhase({ db, hubUrl, receiver, procs: noteTo });

  for (const w of workers) await stop(w);
  await stop(serve);
  await db.end();
  if (!loopOnly && !notesOnly) await gazetteer(env);
  await receiver.close();
  await smtp.close();
  print();
}

/**
 * Citizen → back office: citizens' messages on delivered cases from their tracking pages (20 at a time for a run's
 * seconds), then until each has reached the back office as an update (the webhook connector's citizen.message).
 */
async function updatesPhase(o: { db: pg.Client; hubUrl: string; receiver: Awaited<ReturnType<typeof startWebhookReceiver>>; procs: string[] }) {
  log(`citizens' messages → back office updates, 20 citizens at a time for ${SECONDS} s (${RUNS} run(s))`);
  const tokens = await trackingLinksFor(o.db, o.procs);
  const session = await csrfOf(o.hubUrl, tokens[0]!);
  let sent = 0;
  const send = (seconds: number) =>
    closedLoop(o.hubUrl, 20, seconds, () => {
      const n = sent++;
      return messageRequest(tokens[n % tokens.length]!, session, `Bench message ${n}: the noise started again at 11pm.`);
    });
  const arrive = async (from: number, answered: number) => {
    const count = updateCounter(o.receiver, from);
    await o.receiver.waitFor(() => count() >= answered, 120_000).catch(() => log('  not every update arrived'));
    return updatesSince(o.receiver, from);
  };
  // Warmed up (the form's route, the update queues' workers, their prepared statements) as every measured way is.
  const warm = o.receiver.requests.length;
  await arrive(warm, (await send(WARMUP_SECONDS)).statuses['303'] ?? 0);
  const runs: PhaseRun[] = [];
  for (let k = 0; k < RUNS; k++) {
    const from = o.receiver.requests.length;
    const run = await instrumented(async () => {
      const start = Date.now();
      const load = await send(SECONDS);
      const answered = load.statuses['303'] ?? 0;
      const got = await arrive(from, answered);
      return { load, answered, got, start, end: got.length ? Math.max(...got.map((g) => g.at)) : Date.now() };
    });
    const { load, answered, got, start, end } = run.result;
    const latencies = got.map((g) => g.latency).sort((x, y) => x - y);
    runs.push({
      ...run,
      figures: {
        rate: got.length / ((end - start) / 1000),
        refused: load.requests - answered,
        undelivered: answered - got.length,
        answered: load.p99,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        cpu: cpuPerCase(run.cpuMs, got.length),
      },
    });
  }
  const name = `citizen → back office updates (20 citizens at a time, ${SECONDS} s)`;
  phaseRows(name, runs, [
    { key: 'rate', short: 'updates/s', metric: name, unit: 'updates/s' },
    { key: 'refused', short: 'not accepted', metric: `${name}: messages not accepted (not 303)`, unit: 'messages' },
    { key: 'undelivered', short: 'not arrived', metric: `${name}: accepted, not delivered`, unit: 'updates' },
    { key: 'answered', short: 'answered p99', metric: `${name}: message answered (303) p99`, unit: 'ms' },
    { key: 'p50', short: 'p50', metric: `${name}: message → back office p50`, unit: 'ms' },
    { key: 'p99', short: 'p99', metric: `${name}: message → back office p99`, unit: 'ms' },
    { key: 'cpu', short: 'CPU ms/update', metric: `${name}: CPU per delivered update`, unit: 'ms CPU' },
  ]);
}

/**
 * End to end at a council's busy hour rather than at saturation: deliveries then arrive within the confirmation window
 * and the citizen's two messages become one.
 */
async function steadyPhase(
  db: pg.Client,
  hubUrl: string,
  receiver: Awaited<ReturnType<typeof startWebhookReceiver>>,
  smtp: Awaited<ReturnType<typeof startSmtpPeer>>,
) {
  const steadyRate = 20;
  const steadySeconds = QUICK ? 5 : 15;
  log(`end to end at a steady ${steadyRate} submissions/s for ${steadySeconds} s (messages per submission, ${RUNS} run(s))`);
  const steadyFrom = new Date();
  const steadyRuns: PhaseRun[] = [];
  for (let k = 0; k < RUNS; k++) {
    const before = receiver.requests.length;
    const run = await instrumented(async () => {
      const load = await openLoop(hubUrl, steadyRate, steadySeconds, (i) => ({
        method: 'POST',
        path: '/api/v1/services/noise-complaint/submissions',
        headers: { 'content-type': 'application/json' },
        body: body(i + 4e7 + k * 1e6),
      }));
      await receiver.waitFor((r) => r.requests.length - before >= load.requests - load.errors, 120_000).catch(() => log('  not every steady delivery arrived'));
      await drainNotifications(db);
      return { load, got: receiver.requests.slice(before) };
    });
    const latencies = run.result.got
      .map((r) => r.at - Date.parse(/<ReceivedAt>([^<]+)<\/ReceivedAt>/.exec(r.body)?.[1] ?? ''))
      .filter((x) => Number.isFinite(x))
      .sort((x, y) => x - y);
    steadyRuns.push({
      ...run,
      figures: {
        submitP99: run.result.load.p99,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        cpu: cpuPerCase(run.cpuMs, run.result.got.length),
      },
    });
  }
  const steadyName = `end to end at a steady ${steadyRate}/s for ${steadySeconds} s`;
  phaseRows(steadyName, steadyRuns, [
    { key: 'submitP99', short: 'submit p99', metric: `${steadyName}: submission answered p99`, unit: 'ms' },
    { key: 'p50', short: 'p50', metric: `${steadyName}: submit→delivered p50`, unit: 'ms' },
    { key: 'p99', short: 'p99', metric: `${steadyName}: submit→delivered p99`, unit: 'ms' },
    { key: 'cpu', short: 'CPU ms/deliv', metric: `${steadyName}: CPU per delivered submission`, unit: 'ms CPU' },
  ]);
  await messagesPerSubmission(db, steadyFrom, new Date(), smtp, `${steadyRate}/s for ${steadySeconds} s`);
}

/** A back office's note the citizen can see, on one process. */
const noteRequest = (key: string, processId: string, text: string) => ({
  method: 'POST',
  path: `/api/v1/processes/${processId}/notes`,
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ text, visibleToCitizen: true })),
});

/**
 * Back-office notes the citizen can see, posted at `rate` a second (open loop), each timed until its e-mail reaches the
 * SMTP peer; RUNS runs, each on a drained outbox. Notes of one run carry its tag, so a late e-mail is not miscounted.
 */
async function notesPhase(o: {
  rate: number;
  targetMs: number;
  procs: string[];
  key: string;
  hubUrl: string;
  smtp: Awaited<ReturnType<typeof startSmtpPeer>>;
  db: pg.Client;
}) {
  // One note per process in a run (two notes to one citizen within the confirmation window would become one e-mail).
  const seconds = Math.min(QUICK ? 3 : 20, Math.floor(o.procs.length / o.rate));
  if (seconds < 1) {
    log(`  note → e-mail at ${o.rate}/s not measured: only ${o.procs.length} delivered processes to note on`);
    rows.push({
      metric: `note → e-mail at ${o.rate}/s: not measured (too few delivered processes to note on)`,
      value: o.procs.length,
      unit: 'processes',
      target: { text: `≥ ${o.rate} processes`, ok: false },
    });
    return;
  }
  log(`note → citizen e-mail at ${o.rate} notes/s for ${seconds} s (${RUNS} run(s))`);
  const runs: PhaseRun[] = [];
  for (let k = 0; k < RUNS; k++) {
    await drainNotifications(o.db);
    const tag = `r${o.rate}x${k + 1}`;
    const arrivals = noteArrivals(o.smtp.messages, tag);
    const run = await instrumented(async () => {
      const notes = await openLoop(o.hubUrl, o.rate, seconds, (i) => noteRequest(o.key, o.procs[i % o.procs.length]!, `Bench note ${tag}-${i} of the run.`));
      const wanted = notes.requests - notes.errors;
      await o.smtp.waitFor(() => arrivals.read().size >= wanted, 120_000).catch(() => log('  not every note e-mail arrived'));
      await drainNotifications(o.db);
      return { notes, wanted };
    });
    const arrived = arrivals.read();
    const lat = [...arrived].map(([i, at]) => at - run.result.notes.starts[i]!).sort((x, y) => x - y);
    const stages = await slowestNoteStages(o.db, tag, run.result.notes.starts, arrived);
    runs.push({
      ...run,
      figures: {
        missing: run.result.wanted - arrived.size,
        // How long the hub took to accept the notes: a tail here is the note's own commit, not the way to the citizen.
        answered: run.result.notes.p99,
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
        cpu: cpuPerCase(run.cpuMs, arrived.size),
        slowToStatement: stages?.toStatement ?? NaN,
        slowToClaim: stages?.toClaim ?? NaN,
        slowToArrival: stages?.toArrival ?? NaN,
      },
    });
  }
  const name = `note → e-mail at ${o.rate}/s for ${seconds} s`;
  phaseRows(name, runs, [
    { key: 'missing', short: 'not arrived', metric: `${name}: notes whose e-mail did not arrive`, unit: 'notes' },
    { key: 'answered', short: 'note answered p99', metric: `${name}: note answered (201) p99`, unit: 'ms' },
    { key: 'p50', short: 'p50', metric: `${name}: p50`, unit: 'ms' },
    { key: 'cpu', short: 'CPU ms/note', metric: `${name}: CPU per note → e-mail`, unit: 'ms CPU' },
    // Where the slowest 1% waited (bench/note-stages.ts): medians over those notes.
    { key: 'slowToStatement', short: 'slowest 1%: to statement', metric: `${name}: slowest 1%, request → note's statement`, unit: 'ms' },
    { key: 'slowToClaim', short: 'statement → claimed', metric: `${name}: slowest 1%, note's statement → message claimed`, unit: 'ms' },
    { key: 'slowToArrival', short: 'claimed → arrived', metric: `${name}: slowest 1%, message claimed → e-mail arrived`, unit: 'ms' },
    { key: 'p99', short: 'p99', metric: `${name}: p99`, unit: 'ms', target: (v) => ({ text: `≤ ${o.targetMs} ms`, ok: v <= o.targetMs }) },
  ]);
}

/**
 * The notes of run `tag` found in the SMTP peer's messages so far (note number → arrival time), read incrementally: each
 * call looks only at messages that came since the last. Why: the peer holds every message of the bench (over 100,000
 * after the end-to-end phase), and a wait that searched them all every 20 ms held the harness's event loop — which
 * also stamps the e-mails' arrival and sends the notes — for tens of milliseconds at a time: a tail of the instrument.
 */
function noteArrivals(messages: { text: string; at: number }[], tag: string) {
  const found = new Map<number, number>();
  const pattern = new RegExp(`Bench note ${tag}-(\\d+) of the run\\.`, 'g');
  let seen = messages.length;
  return {
    read(): Map<number, number> {
      for (; seen < messages.length; seen++) {
        const m = messages[seen]!;
        for (const match of m.text.matchAll(pattern)) found.set(Number(match[1]), m.at);
      }
      return found;
    },
  };
}

/** Deliveries/s and CPU per delivered submission with each number of worker processes (BENCH_WORKERS=1,2,3). */
function workerCountTable(byWorkers: { count: number; runs: PhaseRun[] }[]): string[] {
  const cell = (runs: PhaseRun[], key: string) => {
    const xs = runs.map((r) => r.figures[key] ?? NaN).filter((x) => Number.isFinite(x));
    const range = spread(xs);
    return `${median(xs).toFixed(1)}${range ? ` (${range})` : ''}`;
  };
  return [
    `End to end by worker processes (serve + N workers; median of ${RUNS} run(s), min–max in brackets):`,
    `  ${'workers'.padEnd(8)}  ${'deliveries/s'.padEnd(24)}  ${'CPU ms per delivered submission'.padEnd(32)}  submit→delivered p99 ms`,
    ...byWorkers.map(
      ({ count, runs }) => `  ${String(count).padEnd(8)}  ${cell(runs, 'rate').padEnd(24)}  ${cell(runs, 'cpu').padEnd(32)}  ${cell(runs, 'p99')}`,
    ),
  ];
}

/** The gazetteer phase (bench/gazetteer.ts): a million-row import with the real command (it migrates), then postcode lookups. */
async function gazetteer(env: NodeJS.ProcessEnv) {
  rows.push(...(await gazetteerBench({ configFile: CONFIG, env, rows: QUICK ? 100_000 : 1_000_000, lookups: QUICK ? 1000 : 5000, log })));
}

/**
 * Messages per submission of the end-to-end run (notifications.confirmationWindowSeconds joins a quick delivery's
 * "passed to the team" to the confirmation), and the e-mails the SMTP peer got per delivered submission.
 */
/** Waits (up to 10 minutes) until no citizen message is waiting or being sent. */
async function drainNotifications(db: pg.Client) {
  for (let i = 0; i < 600; i++) {
    const { rows: left } = await db.query(`select count(*)::int as n from notifications where status in ('pending', 'queued', 'sending')`);
    if (left[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function messagesPerSubmission(db: pg.Client, since: Date, until: Date, smtp: { messages: { subject: string }[] }, load: string) {
  const { rows: r } = await db.query(
    `select count(distinct p.id)::int as submitted,
       count(distinct p.id) filter (where p.status <> 'submitted')::int as delivered,
       count(n.id)::int as messages,
       count(n.id) filter (where n.kind = 'submitted' and jsonb_array_length(n.updates) > 1)::int as joined,
       array_agg(distinct p.reference) filter (where p.status <> 'submitted') as refs
     from processes p left join notifications n on n.process_id = p.id
     where p.submitted_at >= $1 and p.submitted_at < $2 and p.service_id = 'noise-complaint'`,
    [since, until],
  );
  const { submitted, delivered, messages, joined, refs } = r[0] as {
    submitted: number;
    delivered: number;
    messages: number;
    joined: number;
    refs: string[] | null;
  };
  const delivRefs = new Set(refs ?? []);
  const emails = smtp.messages.filter((m) => delivRefs.has(/[A-Z]{3}-[A-Z0-9]{8}/.exec(m.subject)?.[0] ?? '')).length;
  rows.push({
    metric: `messages per submission, end to end ${load} (${joined} of ${submitted} confirmations said both: delivered before the confirmation was sent)`,
    value: submitted ? messages / submitted : 0,
    unit: 'msg/subm',
  });
  rows.push({
    metric: `e-mails per delivered submission, ${load} (${emails} e-mails, ${delivered} delivered)`,
    value: delivered ? emails / delivered : 0,
    unit: 'e-mails',
  });
}

function print() {
  for (const [name, mb] of Object.entries(rss))
    rows.push({ metric: `max RSS, ${name} role`, value: mb, unit: 'MB', target: { text: '< 300 MB', ok: mb < 300 } });
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const lines = [
    `Closeloop benchmark — ${new Date().toISOString()}${QUICK ? ' (QUICK: short runs)' : ''}`,
    `Machine: ${machine}`,
    'Processes: bench harness (load generator, webhook receiver, SMTP server), Postgres, Redis, and the hub roles named below',
    '',
  ];
  const server = pgWatch?.server;
  if (server)
    lines.push(
      `Postgres ${server.version}, autovacuum ${
        server.autovacuum
          ? 'on'
          : "OFF: the harness stands in for it before each measured run (bench/autovacuum.ts: each table over its thresholds, the tables' own settings first)"
      }`,
      `Loaded phases run ${RUNS} time(s) (BENCH_RUNS): the value is the median, the spread min–max of the runs. Under each phase, a line per run:`,
      '  its figures, then what Postgres did: checkpoints finished (pg_stat_bgwriter, cluster-wide) and the share of 100 ms samples in which the',
      "  checkpointer was at work, the WAL written and its full-page images (pg_stat_wal, cluster-wide), the bench database's blocks read from",
      '  outside shared buffers (pg_stat_database), autovacuum runs per table of the bench database (pg_stat_user_tables), the wait events of the bench',
      "  database's active backends in those samples (pg_stat_activity; CPU: running, waiting on nothing), and the outbox's dead rows at the end.",
      `${CPU_METHOD}.`,
      '',
    );
  const w = Math.max(...rows.map((r) => r.metric.length));
  lines.push(`${'metric'.padEnd(w)}  ${'value'.padStart(10)}  ${'spread'.padEnd(15)}  unit       ratio   target`);
  for (const r of rows) {
    const ratio = r.baseline ? `${(r.value / r.baseline.value).toFixed(2)}× ${r.baseline.name}` : '';
    const target = r.target ? `${r.target.ok ? 'OK  ' : 'MISS'} ${r.target.text}` : '';
    lines.push(
      `${r.metric.padEnd(w)}  ${r.value.toFixed(1).padStart(10)}  ${spread(r.runs ?? []).padEnd(15)}  ${r.unit.padEnd(9)}  ${ratio.padEnd(30)}  ${target}`.trimEnd(),
    );
    for (const d of r.detail ?? []) lines.push(`    ${d}`);
  }
  if (workerTable.length) lines.push('', ...workerTable);
  lines.push('', 'CPU by process (% of one core; 2 cores = 200%):');
  for (const c of cpu) lines.push(`  ${c.phase}, ${c.seconds.toFixed(0)} s: ${formatShares(c.shares)}`);
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (process.env.BENCH_ONLY) {
    process.stdout.write('(partial run: BENCH_ONLY; nothing written to bench/results)\n');
    return;
  }
  const json = JSON.stringify(
    { at: new Date().toISOString(), quick: QUICK, runs: RUNS, machine, postgres: pgWatch?.server, cpuMethod: CPU_METHOD, rows, cpu, phases },
    null,
    2,
  );
  writeFileSync(`bench/results/${stamp}.json`, json);
  writeFileSync('bench/results/latest.json', json);
  writeFileSync('bench/results/latest.txt', `${text}\n`);
}

main()
  .catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await autovacuumStandIn?.stop().catch(() => {});
    await pgWatch?.close().catch(() => {});
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
