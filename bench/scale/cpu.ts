import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node runs on

/** utime + stime of one process (all its threads), in seconds; undefined once it has gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may itself hold spaces: state is field 3, so
    // utime (14) and stime (15) are at 11 and 12.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine spent busy (every core, every process, the kernel), from /proc/stat. */
export function machineBusySeconds(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8")
    .split("\n")[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}

/** Pids of every process whose command name is `comm` (PostgreSQL's backends, Redis), as far as /proc shows them. */
export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === comm) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** A part of the system under test: named, and how to find its processes now. */
export interface Part {
  name: string;
  pids: () => number[];
}

/**
 * CPU seconds each part used between `start()` and `stop()`; the bench process itself via process.cpuUsage(), and
 * last what the rest of the machine used meanwhile (other people's work on a shared machine).
 */
export function cpuMeter(parts: Part[], selfName: string) {
  const before = new Map<number, number>();
  let self = process.cpuUsage();
  let machine = 0;
  return {
    start() {
      before.clear();
      for (const p of parts) for (const pid of p.pids()) before.set(pid, processCpuSeconds(pid) ?? 0);
      self = process.cpuUsage();
      machine = machineBusySeconds();
    },
    /** A process that started during the run counts from zero; one that ended during it is lost. */
    stop(): Array<{ name: string; seconds: number }> {
      const used = process.cpuUsage(self);
      const rows = [{ name: selfName, seconds: (used.user + used.system) / 1e6 }];
      for (const p of parts) {
        let seconds = 0;
        for (const pid of p.pids()) seconds += (processCpuSeconds(pid) ?? 0) - (before.get(pid) ?? 0);
        rows.push({ name: p.name, seconds });
      }
      const ours = rows.reduce((a, r) => a + r.seconds, 0);
      rows.push({ name: "everything else on this machine", seconds: Math.max(0, machineBusySeconds() - machine - ours) });
      return rows;
    },
  };
}
