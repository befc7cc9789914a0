import type { UsageRow } from "@benih/contracts";

export interface Use {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}
export interface DayUse extends Use {
  day: string;
}
export interface PersonUse extends Use {
  /** Email, else id; null for requests made without a person's account. */
  person: string | null;
}
export interface ModelUse extends Use {
  model: string;
}

const DAY_MS = 86_400_000;
const none = (): Use => ({ requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
const add = (to: Use, r: Use) => {
  to.requests += r.requests;
  to.promptTokens += r.promptTokens;
  to.completionTokens += r.completionTokens;
  to.costUsd += r.costUsd;
};
export const tokensOf = (u: Use) => u.promptTokens + u.completionTokens;
/** Most cost first; where costs are equal (a market without prices: all 0), most tokens, then most requests. */
const heaviest = (a: Use, b: Use) => b.costUsd - a.costUsd || tokensOf(b) - tokensOf(a) || b.requests - a.requests;

/**
 * The market's rows (per day, model and person) added up: in all, per person and per model (heaviest first), and
 * per day over the whole period asked for, oldest first, days without use as zeros, so that a chart's gaps are real.
 */
export function summarize(rows: UsageRow[], days: number, now = Date.now()) {
  const total = none();
  const people = new Map<string | null, PersonUse>();
  const models = new Map<string, ModelUse>();
  const byDay = new Map<string, DayUse>();
  const today = Math.floor(now / DAY_MS);
  for (let d = today - days + 1; d <= today; d++) {
    const day = new Date(d * DAY_MS).toISOString().slice(0, 10);
    byDay.set(day, { day, ...none() });
  }
  for (const r of rows) {
    const person = r.person ?? null;
    add(total, r);
    add(people.get(person) ?? people.set(person, { person, ...none() }).get(person)!, r);
    add(models.get(r.model) ?? models.set(r.model, { model: r.model, ...none() }).get(r.model)!, r);
    // A row outside the period (the server's clock a day apart from this one's) is kept, not dropped from the chart.
    add(byDay.get(r.day) ?? byDay.set(r.day, { day: r.day, ...none() }).get(r.day)!, r);
  }
  return {
    total,
    people: [...people.values()].sort(heaviest),
    models: [...models.values()].sort(heaviest),
    days: [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)),
  };
}
