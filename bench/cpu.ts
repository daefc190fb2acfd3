// Where the CPU went during a phase of the bench: user + system time of every process on the machine, grouped by role
// (read from /proc, Linux only), as a share of one core. On 2 cores the shares add up to at most 200%.
//
// The hub under test is its role processes (serve, workers), the Postgres processes that serve the bench database (its
// backends, named by database in their command line, and the server's shared background processes: checkpointer,
// background writer, WAL writer, postmaster) and the Redis server. Postgres backends of other databases (other work on
// a shared machine), the bench harness (load generator, webhook receiver, SMTP server) and the harness's own Postgres
// connections are counted apart. A process that exits during a phase (an autovacuum worker) is not seen.
import { readFileSync, readdirSync } from 'node:fs';

type Snapshot = Map<number, { ticks: number; group: string }>;

const TICKS_PER_SECOND = 100;
export const BENCH_DB_GROUP = 'postgres: bench database';
const PG_SHARED_GROUP = 'postgres: shared background';
const PG_OTHER_GROUP = 'postgres: other databases';
const PG_BACKGROUND = /checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|stats collector|archiver| -D /;

function groupOf(cmdline: string, roles: Map<number, string>, pid: number, benchDb: string): string {
  if (roles.has(pid)) return roles.get(pid)!;
  if (pid === process.pid) return 'bench harness';
  if (cmdline.startsWith('postgres') || cmdline.includes('/postgres')) {
    // A backend's command line is "postgres: [cluster: ]user database host(port) state".
    if (cmdline.split(/\s+/).includes(benchDb)) return BENCH_DB_GROUP;
    return PG_BACKGROUND.test(cmdline) ? PG_SHARED_GROUP : PG_OTHER_GROUP;
  }
  if (cmdline.includes('redis-server')) return 'redis';
  return 'other';
}

/** Whether a group's CPU is the hub's work (summed into CPU milliseconds per case). */
export function underTest(group: string): boolean {
  return group.endsWith(' role') || group === BENCH_DB_GROUP || group === PG_SHARED_GROUP || group === 'redis';
}

export function cpuSnapshot(roles: Map<number, string>, benchDb = ''): Snapshot {
  const snap: Snapshot = new Map();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      snap.set(pid, { ticks: Number(fields[11]) + Number(fields[12]), group: groupOf(cmdline, roles, pid, benchDb) });
    } catch {
      // the process exited while being read
    }
  }
  return snap;
}

/** CPU milliseconds each group used between two snapshots. */
export function cpuMsByGroup(before: Snapshot, after: Snapshot): Record<string, number> {
  const byGroup: Record<string, number> = {};
  for (const [pid, { ticks, group }] of after) {
    const used = ticks - (before.get(pid)?.ticks ?? 0);
    if (used > 0) byGroup[group] = (byGroup[group] ?? 0) + (used * 1000) / TICKS_PER_SECOND;
  }
  return byGroup;
}

/** The hub's CPU milliseconds (the groups `underTest` names) in a by-group tally. */
export function hubCpuMs(byGroup: Record<string, number>): number {
  return Object.entries(byGroup)
    .filter(([group]) => underTest(group))
    .reduce((sum, [, ms]) => sum + ms, 0);
}

/** Each group's CPU of a by-group tally over `seconds`, as % of one core, largest first. */
export function sharesOf(byGroup: Record<string, number>, seconds: number): { group: string; percent: number }[] {
  return Object.entries(byGroup)
    .map(([group, ms]) => ({ group, percent: (ms / 1000 / seconds) * 100 }))
    .filter((g) => g.percent >= 0.5)
    .sort((a, b) => b.percent - a.percent);
}

/** Each group's CPU between two snapshots, as % of one core, largest first. */
export function cpuShares(before: Snapshot, after: Snapshot, seconds: number): { group: string; percent: number }[] {
  return sharesOf(cpuMsByGroup(before, after), seconds);
}

export function formatShares(shares: { group: string; percent: number }[]): string {
  return shares.map((s) => `${s.group} ${s.percent.toFixed(0)}%`).join(', ');
}
