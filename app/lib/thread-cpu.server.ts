import { closeSync, openSync, readSync } from "node:fs";
import { performance } from "node:perf_hooks";

// The calling thread's CPU seconds: the import report times its stages in CPU as well as wall seconds, so that their
// growth with the file's size can be told apart from the machine's load (issue 15's exponents; the sweep and staging
// threads work beside the main thread, so the process's total would mix them in).
// Linux keeps each thread's time on the CPU, in nanoseconds, as the first field of /proc/thread-self/schedstat
// (Documentation/scheduler/sched-stats.rst); one pread of it takes about 3.5 µs. Elsewhere: the process's user + system.
const buffer = Buffer.alloc(64);
let fd: number | null | undefined;

function schedstat(): number | null {
  if (fd === undefined) {
    try {
      fd = openSync("/proc/thread-self/schedstat", "r");
    } catch {
      fd = null;
    }
  }
  if (fd === null) return null;
  let bytes: number;
  try {
    bytes = readSync(fd, buffer, 0, buffer.length, 0);
  } catch {
    closeSync(fd);
    fd = null;
    return null;
  }
  let ns = 0;
  for (let i = 0; i < bytes; i++) {
    const c = buffer[i];
    if (c < 48 || c > 57) break;
    ns = ns * 10 + (c - 48);
  }
  return ns / 1e9;
}

/** CPU seconds used so far by this thread (by the whole process where the system does not say per thread). */
export function threadCpuSeconds(): number {
  const seconds = schedstat();
  if (seconds !== null) return seconds;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** CPU seconds used so far by every thread of the process. */
export function processCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** A stage's time: wall seconds, and this thread's CPU seconds. */
export type Elapsed = { seconds: number; cpuSeconds: number };

/** Starts timing a stage on this thread; the function it returns reads the time since, as often as asked. */
export function stopwatch(): () => Elapsed {
  const wall = performance.now();
  const cpu = threadCpuSeconds();
  return () => ({ seconds: (performance.now() - wall) / 1000, cpuSeconds: threadCpuSeconds() - cpu });
}
