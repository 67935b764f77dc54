/**
 * CPU time of the calling thread (main or worker), for the parallel search's accounting (issue 7,
 * item 2). Node 20 has no per-thread CPU clock (`process.cpuUsage()` sums every thread), so this
 * reads Linux's /proc/thread-self/stat (utime + stime, in clock ticks of 10 ms). Null elsewhere.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports times in ticks of 1/100 s on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

export const threadCpuMs = (): number | null => {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
};
