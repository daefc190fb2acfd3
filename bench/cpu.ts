// Where the CPU went during a phase of the bench: user + system time of every process on the machine, grouped by role
// (read from /proc, Linux only), as a share of one core. On 2 cores the shares add up to at most 200%.
import { readFileSync, readdirSync } from 'node:fs';

type Snapshot = Map<number, { ticks: number; group: string }>;

const TICKS_PER_SECOND = 100;

function groupOf(cmdline: string, roles: Map<number, string>, pid: number): string {
  if (roles.has(pid)) return roles.get(pid)!;
  if (pid === process.pid) return 'bench harness';
  if (cmdline.startsWith('postgres') || cmdline.includes('/postgres')) return 'postgres';
  if (cmdline.includes('redis-server')) return 'redis';
  return 'other';
}

export function cpuSnapshot(roles: Map<number, string>): Snapshot {
  const snap: Snapshot = new Map();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      snap.set(pid, { ticks: Number(fields[11]) + Number(fields[12]), group: groupOf(cmdline, roles, pid) });
    } catch {
      // the process exited while being read
    }
  }
  return snap;
}

/** Each group's CPU between two snapshots, as % of one core, largest first. */
export function cpuShares(before: Snapshot, after: Snapshot, seconds: number): { group: string; percent: number }[] {
  const byGroup = new Map<string, number>();
  for (const [pid, { ticks, group }] of after) {
    const used = ticks - (before.get(pid)?.ticks ?? 0);
    if (used > 0) byGroup.set(group, (byGroup.get(group) ?? 0) + used);
  }
  return [...byGroup]
    .map(([group, ticks]) => ({ group, percent: (ticks / TICKS_PER_SECOND / seconds) * 100 }))
    .filter((g) => g.percent >= 0.5)
    .sort((a, b) => b.percent - a.percent);
}

export function formatShares(shares: { group: string; percent: number }[]): string {
  return shares.map((s) => `${s.group} ${s.percent.toFixed(0)}%`).join(', ');
}
