import type { UsageRow } from "@benih/contracts";

export interface DayUsage {
  day: string;
  requests: number;
  tokens: number;
  costUsd: number;
}

/** The rows (one per day and model) added up per day, newest first, and over the whole period. */
export function usageByDay(rows: UsageRow[]): { days: DayUsage[]; total: Omit<DayUsage, "day"> } {
  const byDay = new Map<string, DayUsage>();
  const total = { requests: 0, tokens: 0, costUsd: 0 };
  for (const r of rows) {
    const d = byDay.get(r.day) ?? { day: r.day, requests: 0, tokens: 0, costUsd: 0 };
    const tokens = r.promptTokens + r.completionTokens;
    d.requests += r.requests;
    d.tokens += tokens;
    d.costUsd += r.costUsd;
    byDay.set(r.day, d);
    total.requests += r.requests;
    total.tokens += tokens;
    total.costUsd += r.costUsd;
  }
  return { days: [...byDay.values()].sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0)), total };
}
