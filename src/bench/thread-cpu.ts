/**
 * CPU time of this process's threads, from `/proc/self/task/<tid>/stat` (Linux), so a
 * throughput round can say how much of its wall time the vCPU threads actually ran.
 * On a host shared with other work, wall-clock accesses/s measure the host's load as much
 * as the code; accesses per vCPU CPU-second do not.
 *
 * The vCPU threads are taken to be the `n` busiest threads other than the main thread
 * during the round (vCPU threads spin while they run; the other pools of a bench group
 * are idle, and libuv and V8 helper threads are mostly idle). Resolution is one clock
 * tick (USER_HZ, 100 per second on Linux). Elsewhere `snapshot()` returns undefined and
 * rows go without CPU figures. It reads; it changes nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports thread CPU time in USER_HZ ticks, 100 per second on every mainstream ABI. */
const TICKS_PER_SECOND = 100;

export type ThreadTicks = ReadonlyMap<number, number>;

/** User + system ticks of every thread of this process, or undefined without /proc. */
export function snapshot(): ThreadTicks | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const ticks = new Map<number, number>();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised command: state is field 3; utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

/** CPU seconds of the `n` busiest non-main threads between two snapshots. */
export function busiestThreadsSeconds(
  before: ThreadTicks | undefined,
  after: ThreadTicks | undefined,
  n: number,
): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  const deltas: number[] = [];
  for (const [tid, ticks] of after) {
    if (tid === process.pid) continue;
    deltas.push(ticks - (before.get(tid) ?? 0));
  }
  deltas.sort((a, b) => b - a);
  let sum = 0;
  for (let i = 0; i < Math.min(n, deltas.length); i++) sum += deltas[i]!;
  return sum / TICKS_PER_SECOND;
}
