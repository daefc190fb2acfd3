// Splits the Chromium test files into N lists of about equal time, one per CI lane: `node .ci/browser-shards.mjs N K`
// prints the files of shard K (1..N), one per line. The times are from a run of each file on this kind of machine
// (.ci/browser-times.json, seconds); a file not listed counts as 30 s. Longest first, each to the shard with least.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const [shards, shard] = process.argv.slice(2).map(Number);
if (!Number.isInteger(shards) || !Number.isInteger(shard) || shard < 1 || shard > shards) {
  console.error('usage: node .ci/browser-shards.mjs <shards> <shard, 1..shards>');
  process.exit(2);
}
const times = JSON.parse(readFileSync(new URL('./browser-times.json', import.meta.url), 'utf8'));
const files = execFileSync('bash', ['-c', "grep -l playwright-core $(find test plugins connectors -name '*.test.ts') | sort"], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const loads = Array.from({ length: shards }, () => ({ seconds: 0, files: [] }));
for (const file of [...files].sort((a, b) => (times[b] ?? 30) - (times[a] ?? 30) || a.localeCompare(b))) {
  const least = loads.reduce((min, l) => (l.seconds < min.seconds ? l : min));
  least.seconds += times[file] ?? 30;
  least.files.push(file);
}
console.log(loads[shard - 1].files.sort().join('\n'));
