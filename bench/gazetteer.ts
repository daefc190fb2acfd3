// The gazetteer phase: a made-up address list of a million rows (as an LLPG export would be: ~20 addresses a postcode),
// imported with the real `closeloop gazetteer import` command, then postcode lookups through the address finder.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { spawn } from 'node:child_process';

const STREETS = [
  'High Street',
  'Station Road',
  'Church Lane',
  'Mill Road',
  'Park Avenue',
  'Victoria Road',
  'Green Lane',
  'Manor Close',
  'Kings Way',
  'The Crescent',
];
const TOWNS = ['Exampleton', 'Sampleford', 'Testbury', 'Benchley'];
const AREAS = ['AB', 'BD', 'CF', 'DG', 'EH', 'FK', 'GL', 'HP', 'LS', 'NR'];
const INWARD = 'ABDEFGHJLNPQRSTUWXYZ';
export const ADDRESSES_PER_POSTCODE = 20;

/** The postcode of the `p`th postcode of the generated list: AB1 0AA, AB1 0AB, … (each valid, each distinct). */
export function benchPostcode(p: number): string {
  const unit = p % 400;
  const sector = Math.floor(p / 400) % 10;
  const district = 1 + (Math.floor(p / 4000) % 99);
  const area = AREAS[Math.floor(p / 396_000) % AREAS.length]!;
  return `${area}${district} ${sector}${INWARD[Math.floor(unit / 20)]}${INWARD[unit % 20]}`;
}

/** Writes `rows` addresses to `file` (the CSV columns the README documents). */
export async function writeGazetteerCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('uprn,address_line_1,address_line_2,town,postcode,easting,northing\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const p = Math.floor(i / ADDRESSES_PER_POSTCODE);
    const n = (i % ADDRESSES_PER_POSTCODE) + 1;
    const street = STREETS[p % STREETS.length]!;
    const flat = i % 7 === 0 ? `"Flat ${n}, ${street} House"` : `${n} ${street}`;
    const second = i % 7 === 0 ? `${n} ${street}` : '';
    const easting = 300_000 + (p % 2000) * 50 + n * 2;
    const northing = 200_000 + Math.floor(p / 2000) * 50 + n;
    chunk += `${100_000_000 + i},${flat},${second},${TOWNS[p % TOWNS.length]},${benchPostcode(p)},${easting},${northing}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

export interface GazetteerBenchRow {
  metric: string;
  value: number;
  unit: string;
  target?: { text: string; ok: boolean };
}

/**
 * Generates the list, imports it with `closeloop gazetteer import` (a child process, as an admin runs it), then times
 * postcode lookups through the address finder of a hub opened on the same database, one after another.
 */
export async function gazetteerBench(options: {
  configFile: string;
  env: NodeJS.ProcessEnv;
  rows: number;
  lookups: number;
  log(msg: string): void;
}): Promise<GazetteerBenchRow[]> {
  const file = `/tmp/closeloop-bench-gazetteer-${process.pid}.csv`;
  const out: GazetteerBenchRow[] = [];
  try {
    options.log(`gazetteer: writing ${options.rows.toLocaleString('en-GB')} addresses`);
    await writeGazetteerCsv(file, options.rows);
    options.log('gazetteer: closeloop gazetteer import');
    const started = performance.now();
    const printed = await runImport(file, options.configFile, options.env);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`  ${printed.trim()}\n`);
    const reported = /in ([\d.]+) s \(([\d,]+) rows\/s\)/.exec(printed);
    if (!reported) throw new Error(`the import printed no time: ${printed}`);
    out.push({
      metric: `gazetteer import of ${options.rows.toLocaleString('en-GB')} rows (the command, start to exit: ${seconds.toFixed(1)} s)`,
      value: Number(reported[1]),
      unit: 's',
      target: { text: '< 120 s for 1,000,000', ok: Number(reported[1]) < (120 * options.rows) / 1_000_000 },
    });
    out.push({ metric: 'gazetteer import rate', value: Number(reported[2]!.replace(/,/g, '')), unit: 'rows/s' });

    const { loadConfig } = await import('../core/config/index.ts');
    const { openHub } = await import('../core/hub.ts');
    const { addressFinder } = await import('../core/address/index.ts');
    const config = loadConfig(options.configFile, options.env);
    const hub = await openHub(config, { role: 'bench-gazetteer' });
    try {
      const finder = await addressFinder(hub, config.council.id);
      const postcodes = Math.floor(options.rows / ADDRESSES_PER_POSTCODE);
      const pick = (i: number) => benchPostcode((i * 7919) % postcodes);
      for (let i = 0; i < 200; i++) await finder.byPostcode(pick(i)); // warm-up: pool, plans
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < options.lookups; i++) {
        const t0 = performance.now();
        found += (await finder.byPostcode(pick(i + 1000))).length;
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const p = (q: number) => times[Math.min(times.length - 1, Math.floor((q / 100) * times.length))]!;
      if (found !== options.lookups * ADDRESSES_PER_POSTCODE)
        throw new Error(`postcode lookups found ${found} addresses, expected ${options.lookups * ADDRESSES_PER_POSTCODE}`);
      out.push({
        metric: `gazetteer postcode lookup through the finder at ${options.rows.toLocaleString('en-GB')} rows (${options.lookups} in a row; p50 ${p(50).toFixed(2)} ms)`,
        value: p(99),
        unit: 'ms p99',
        target: { text: '≤ 20 ms', ok: p(99) <= 20 },
      });
    } finally {
      await hub.close();
    }
  } finally {
    await import('node:fs/promises').then((fs) => fs.rm(file, { force: true }));
  }
  return out;
}

function runImport(file: string, configFile: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'gazetteer', 'import', file, '--config', configFile], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(stdout) : reject(new Error(`gazetteer import exited ${code}: ${stderr || stdout}`))));
  });
}
