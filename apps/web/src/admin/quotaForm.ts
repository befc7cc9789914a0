import type { QuotaLimits } from "@benih/contracts";

/** The quota editor's fields as typed; an empty one is the market's default. */
export interface QuotaFields {
  requestsPerMinute: string;
  tokensPerDay: string;
  costPerMonthUsd: string;
  audioSecondsPerDay: string;
}

export const fieldsOf = (q: QuotaLimits | null): QuotaFields => ({
  requestsPerMinute: q?.requestsPerMinute?.toString() ?? "",
  tokensPerDay: q?.tokensPerDay?.toString() ?? "",
  costPerMonthUsd: q?.costPerMonthUsd?.toString() ?? "",
  audioSecondsPerDay: q?.audioSecondsPerDay?.toString() ?? "",
});

const whole = (s: string) => (/^\d+$/.test(s) && Number(s) > 0 && Number.isSafeInteger(Number(s)) ? Number(s) : undefined);
const amount = (s: string) => {
  const n = Number(s);
  return /^\d*\.?\d+$|^\d+\.$/.test(s) && n > 0 && Number.isFinite(n) ? n : undefined;
};

/**
 * The person's own limits as PATCH /v1/admin/people/:id takes them: null when every field is empty (the market's
 * limits apply), undefined when a field holds what the server would refuse (a fraction of a request, 0, text).
 */
export function quotaOf(f: QuotaFields): QuotaLimits | null | undefined {
  const rpm = f.requestsPerMinute.trim();
  const tpd = f.tokensPerDay.trim().replace(/[\s,_]/g, "");
  const cpm = f.costPerMonthUsd.trim().replace(/^\$/, "");
  const asd = f.audioSecondsPerDay.trim().replace(/[\s,_]/g, "");
  const q: QuotaLimits = {};
  if (rpm) {
    const n = whole(rpm);
    if (n === undefined) return undefined;
    q.requestsPerMinute = n;
  }
  if (tpd) {
    const n = whole(tpd);
    if (n === undefined) return undefined;
    q.tokensPerDay = n;
  }
  if (cpm) {
    const n = amount(cpm);
    if (n === undefined) return undefined;
    q.costPerMonthUsd = n;
  }
  if (asd) {
    const n = whole(asd);
    if (n === undefined) return undefined;
    q.audioSecondsPerDay = n;
  }
  return Object.keys(q).length ? q : null;
}
