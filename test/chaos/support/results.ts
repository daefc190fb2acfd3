// Figures of a chaos run: each scenario records what it attempted and observed (whether its assertions passed or not)
// into test/chaos/results/latest.json, and the table of the run so far is printed. The files of one `node --test` run
// share its runner's pid, so a new run starts a fresh file and the scenarios of one run end up together.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { SCALE } from './scale.ts';
import type { LatencySummary } from './stats.ts';

export const RESULTS_FILE = resolve(process.env.CHAOS_RESULTS_FILE ?? 'test/chaos/results/latest.json');

export interface ScenarioFigures {
  scenario: string;
  title: string;
  scale: 'full' | 'ci';
  startedAt: string;
  durationMs: number;
  /** Deliveries (or requests) the scenario set out to make. */
  attempted: number;
  delivered: number;
  lost: number;
  /** Back-office records beyond one per case (two records for one process). */
  duplicatedEffects: number;
  /** 5xx answers seen by the clients, by status. */
  http5xx: Record<string, number>;
  /** Every status the clients saw, and client-side errors by code. */
  statuses: Record<string, number>;
  latenciesMs: Record<string, LatencySummary>;
  /** Anything else worth keeping: kills, outages, recovery times, observations. */
  notes: Record<string, unknown>;
  passed: boolean;
  error?: string;
}

interface ResultsFile {
  runId: number;
  scale: 'full' | 'ci';
  startedAt: string;
  machine: { cores: number; cpu: string; node: string };
  scenarios: ScenarioFigures[];
}

function read(): ResultsFile | null {
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as ResultsFile;
  } catch {
    return null;
  }
}

/** Writes one scenario's figures into this run's results file and prints the run's table so far. */
export function recordScenario(figures: ScenarioFigures): void {
  const runId = process.ppid;
  const existing = read();
  const file: ResultsFile =
    existing && existing.runId === runId && existing.scale === SCALE
      ? existing
      : {
          runId,
          scale: SCALE,
          startedAt: new Date().toISOString(),
          machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? '?', node: process.version },
          scenarios: [],
        };
  file.scenarios = [...file.scenarios.filter((s) => s.scenario !== figures.scenario), figures].sort((a, b) => a.scenario.localeCompare(b.scenario));
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  const tmp = `${RESULTS_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(tmp, RESULTS_FILE);
  process.stderr.write(`\n${formatTable(file)}\n`);
}

/** Runs a scenario body with a figures object to fill, and records the figures however the body ends. */
export async function withFigures(scenario: string, title: string, body: (f: ScenarioFigures) => Promise<void>): Promise<void> {
  const started = Date.now();
  const f: ScenarioFigures = {
    scenario,
    title,
    scale: SCALE,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    attempted: 0,
    delivered: 0,
    lost: 0,
    duplicatedEffects: 0,
    http5xx: {},
    statuses: {},
    latenciesMs: {},
    notes: {},
    passed: false,
  };
  try {
    await body(f);
    f.passed = true;
  } catch (err) {
    f.error = (err as Error).message.slice(0, 2000);
    throw err;
  } finally {
    f.durationMs = Date.now() - started;
    recordScenario(f);
  }
}

export function formatTable(file: { scale: string; startedAt: string; scenarios: ScenarioFigures[] }): string {
  const head = ['scenario', 'attempted', 'delivered', 'lost', 'dup', '5xx', 'latency p50/p99/max ms', 'duration s', 'result'];
  const rows = file.scenarios.map((s) => {
    const fivexx =
      Object.entries(s.http5xx)
        .map(([k, v]) => `${k}:${v}`)
        .join(' ') || '0';
    const lat = Object.entries(s.latenciesMs)
      .map(([k, v]) => `${k} ${v.p50}/${v.p99}/${v.max}`)
      .join('; ');
    return [
      s.scenario,
      String(s.attempted),
      String(s.delivered),
      String(s.lost),
      String(s.duplicatedEffects),
      fivexx,
      lat,
      (s.durationMs / 1000).toFixed(1),
      s.passed ? 'PASS' : 'FAIL',
    ];
  });
  const widths = head.map((h, i) => Math.min(90, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [`Closeloop chaos run (scale ${file.scale}, started ${file.startedAt})`, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join(
    '\n',
  );
}
