import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds of this process by kind of thread. */
export interface ThreadCpu {
  /** The main (JS) thread. */
  main: number;
  /** chDB's merge threads (`MergeMutate…`). */
  merges: number;
  /** The rest: chDB's query threads and libuv's, which run the inserts; V8's helpers. */
  other: number;
}

/** CPU seconds of this process by thread so far, from /proc/self/task (Linux). */
export function threadCpu(): ThreadCpu {
  const out = { main: 0, merges: 0, other: 0 };
  const hz = 100; // USER_HZ
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / hz;
    if (tid === String(process.pid)) out.main += cpu;
    else if (name.startsWith('MergeMutate')) out.merges += cpu;
    else out.other += cpu;
  }
  return out;
}

/** CPU seconds by kind of thread between two readings. */
export function cpuSince(t0: ThreadCpu, t1: ThreadCpu = threadCpu()): ThreadCpu {
  return { main: t1.main - t0.main, merges: t1.merges - t0.merges, other: t1.other - t0.other };
}
