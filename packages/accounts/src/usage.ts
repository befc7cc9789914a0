import type { UsageRow } from "@benih/contracts";
import { DAY_MS, type Store, type UsageTotals } from "@benih/store";
/** At most this many (day, model, person) groups in one answer. */
export const USAGE_ROWS = 5_000;

export const isoDay = (epochDay: number) => new Date(epochDay * DAY_MS).toISOString().slice(0, 10);

export const usageRow = (t: UsageTotals, person?: string | null): UsageRow => ({
  day: isoDay(t.day),
  model: t.model,
  ...(person !== undefined && { person }),
  requests: t.requests,
  promptTokens: t.promptTokens,
  completionTokens: t.completionTokens,
  costUsd: Math.round(t.costUsd * 1e6) / 1e6,
});

/** The last `days` UTC days of usage (today included), of one person or of everyone. */
export function usageOf(store: Store, days: number, person?: string): Promise<UsageTotals[]> {
  const today = Math.floor(Date.now() / DAY_MS);
  return store.requestLog.usage({
    since: (today - days + 1) * DAY_MS,
    until: (today + 1) * DAY_MS,
    rows: USAGE_ROWS,
    ...(person !== undefined && { person }),
  });
}

/** What a person used today and this month, for their quota's gauge. */
export async function usedSoFar(store: Store, person: string) {
  const now = new Date();
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const today = Math.floor(now.getTime() / DAY_MS);
  const rows = await store.requestLog.usage({ since: monthStart, until: (today + 1) * DAY_MS, person, rows: USAGE_ROWS });
  const todays = rows.filter((r) => r.day === today);
  return {
    requestsToday: todays.reduce((n, r) => n + r.requests, 0),
    tokensToday: todays.reduce((n, r) => n + r.promptTokens + r.completionTokens, 0),
    costThisMonthUsd: Math.round(rows.reduce((n, r) => n + r.costUsd, 0) * 1e6) / 1e6,
  };
}

const csvCell = (v: unknown) => {
  const s = String(v ?? "");
  // Quoted when needed (RFC 4180); a leading =, +, - or @ is defused so a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function usageCsv(rows: UsageRow[], withPerson: boolean): string {
  const head = ["day", "model", ...(withPerson ? ["person"] : []), "requests", "prompt_tokens", "completion_tokens", "cost_usd"];
  const lines = rows.map((r) =>
    [r.day, r.model, ...(withPerson ? [r.person ?? ""] : []), r.requests, r.promptTokens, r.completionTokens, r.costUsd]
      .map(csvCell)
      .join(","),
  );
  return `${[head.join(","), ...lines].join("\r\n")}\r\n`;
}
