// Prints the failed tests of a lane's TAP log, each with the names of the suites it is in and its YAML block (where,
// the error, the stack's first lines): `node .ci/failures.mjs LOG`. CI prints this last, so the end of its output —
// which is what is kept of a long run — says what failed without the thousands of lines before it.
import { readFileSync } from 'node:fs';

const BLOCK_LINES = 16;
const lines = readFileSync(process.argv[2], 'utf8').split('\n');
const names = []; // names[depth]: the subtest open at that depth
let printed = 0;
for (let i = 0; i < lines.length; i++) {
  const subtest = /^( *)# Subtest: (.*)$/.exec(lines[i]);
  if (subtest) {
    const depth = subtest[1].length / 4;
    names.length = depth;
    names[depth] = subtest[2];
    continue;
  }
  const failed = /^( *)not ok \d+ - (.*)$/.exec(lines[i]);
  if (!failed) continue;
  const depth = failed[1].length / 4;
  const block = [];
  if (lines[i + 1]?.trim() === '---') {
    for (let j = i + 2; j < lines.length && lines[j].trim() !== '...'; j++) block.push(lines[j].trim());
  }
  // A suite that failed only because a test in it did says just that: its test is printed on its own.
  if (block.some((line) => /^error: '\d+ subtests? failed'$/.test(line))) continue;
  console.log(`not ok: ${[...names.slice(0, depth), failed[2]].join(' › ')}`);
  for (const line of block.filter((l) => !l.startsWith('duration_ms') && !l.startsWith('type:')).slice(0, BLOCK_LINES)) {
    console.log(`  ${line}`);
  }
  printed++;
}
if (printed === 0) console.log('no failed test in this log (the lane failed outside a test: see its end above)');
