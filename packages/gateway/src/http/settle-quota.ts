import type { PriceTable } from "../pricing.ts";
import type { Reservation } from "../quota/quota-gate.ts";
import type { Outcome } from "./record-outcome.ts";

/**
 * Settles a request's reservation on what it used: the upstream's usage; without one (a stream cut short, a
 * provider that reports none) the prompt's estimate and one token per character answered; nothing when no
 * upstream took the request. Cost is the usage at the target's price.
 */
export function settleQuota(reservation: Reservation, outcome: Outcome, prices: PriceTable, promptEstimate: number): void {
  const { target, usage } = outcome;
  if (!target) {
    reservation.settle({ tokens: 0, costUsd: 0 });
    return;
  }
  const known = usage && (usage.inputTokens !== undefined || usage.outputTokens !== undefined);
  const inputTokens = known ? (usage.inputTokens ?? 0) : promptEstimate;
  const outputTokens = known ? (usage.outputTokens ?? 0) : (outcome.answerChars ?? 0);
  reservation.settle({
    tokens: inputTokens + outputTokens,
    costUsd: prices.cost(target.provider, target.model, { inputTokens, outputTokens }) ?? 0,
  });
}
