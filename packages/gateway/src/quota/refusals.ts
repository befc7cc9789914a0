import { GatewayError } from "../errors.ts";

const n = (x: number) => x.toLocaleString("en");
const usd = (nano: number) => `$${(nano / 1e9).toFixed(nano < 1e7 ? 6 : 2)}`;

/** "3h2m5s", "59s": how OpenAI writes a reset time. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${sec}s`;
}

/** Which window refused, with its numbers (tokens; nano-USD for cost; whole seconds of audio) and the ms until it resets. */
export interface Refusal {
  window: "requests" | "tokens" | "cost" | "audio-seconds";
  limit: number;
  used: number;
  asked: number;
  resetMs: number;
}

/** The 429 in OpenAI's shape: `rate_limit_exceeded` for requests per minute, `insufficient_quota` for budgets. */
export function quotaRefusal(r: Refusal): GatewayError {
  const retryAfter = Math.max(1, Math.ceil(r.resetMs / 1000));
  const wait = `Try again in ${duration(r.resetMs)}`;
  if (r.window === "requests")
    return new GatewayError(
      429,
      "requests",
      `Rate limit reached for requests per minute: limit ${n(r.limit)}, used ${n(r.used)}. ${wait}.`,
      "rate_limit_exceeded",
      null,
      retryAfter,
    );
  const tooBig = r.asked > r.limit;
  if (r.window === "audio-seconds")
    return new GatewayError(
      429,
      "insufficient_quota",
      `You have used ${n(r.used)} of the ${n(r.limit)} seconds of audio this key may use today (UTC), and this request may use up to ${n(r.asked)} (its recording, or the speech its text makes). ${tooBig ? "It can never fit: send a shorter recording or text" : `${wait}, or send a shorter recording or text`}.`,
      "insufficient_quota",
      null,
      retryAfter,
    );
  const message =
    r.window === "tokens"
      ? `You have used ${n(r.used)} of the ${n(r.limit)} tokens this key may use today (UTC), and this request may use up to ${n(r.asked)} (its prompt and longest answer). ${tooBig ? "It can never fit: send less, or a lower max_tokens" : `${wait}, or ask for a shorter answer (max_tokens)`}.`
      : `This key has spent ${usd(r.used)} of its ${usd(r.limit)} for this month (UTC), and this request may cost up to ${usd(r.asked)}. ${tooBig ? "It can never fit: send less, or a lower max_tokens" : `${wait}, or ask for a shorter answer (max_tokens)`}.`;
  return new GatewayError(429, "insufficient_quota", message, "insufficient_quota", null, retryAfter);
}

/** Counters unreachable: the request is refused rather than served beyond budgets that cannot be checked. */
export const quotaUnavailable = (err: Error) =>
  new GatewayError(
    503,
    "server_error",
    `The quota counters cannot be reached, so the request was not sent (a budget that cannot be checked is not spent): ${err.message}`,
    "quota_unavailable",
    null,
    5,
  );
