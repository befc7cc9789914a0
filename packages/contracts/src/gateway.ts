import { z } from "zod";

// What the gateway records about the requests it serves: written by the gateway, kept by a market's store, read
// back by operators (CLI, tests, dashboards).

/** One try at one upstream target; a request's tries are logged in order, as JSON, in its `attempt_log`. */
export const attemptRecord = z.object({
  /** `provider/model`. */
  target: z.string(),
  outcome: z.enum(["ok", "error", "skipped"]),
  /** The upstream's HTTP status, when it answered. */
  status: z.number().int().optional(),
  /** Why the try failed or was skipped (outside the market's allow-list, provider not configured…). */
  reason: z.string().optional(),
  ms: z.number(),
});
export type AttemptRecord = z.infer<typeof attemptRecord>;

/** A blocked term found by a market's content policy (or its moderation model). */
export const policyHit = z.object({
  term: z.string(),
  category: z.string(),
  /** Up to 60 characters of the text around the term. */
  excerpt: z.string(),
});
export type PolicyHit = z.infer<typeof policyHit>;

/** One policy hit as a market's audit keeps it: the hit, and the request, model and direction it was found in. */
export const policyAuditEntry = policyHit.extend({
  request_id: z.string(),
  api_key_id: z.string().nullable(),
  market: z.string(),
  direction: z.enum(["input", "output"]),
  model: z.string(),
});
export type PolicyAuditEntry = z.infer<typeof policyAuditEntry>;

/** One request in a market's request log. Times are epoch milliseconds. */
export const requestLogEntry = z.object({
  id: z.string(),
  created_at: z.number(),
  api_key_id: z.string().nullable(),
  /** The person the request was made for (their key or session); null for operators' keys and anonymous calls. */
  person_id: z.string().nullable(),
  endpoint: z.string(),
  model: z.string(),
  /** `provider/model` of the target that answered, or null when none did. */
  target: z.string().nullable(),
  /** Tries made (skipped targets not counted). */
  attempts: z.number().int(),
  status: z.number().int(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  /** 1 for a streamed answer, 0 otherwise. */
  stream: z.number().int(),
  input_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  ttft_ms: z.number().nullable(),
  total_ms: z.number(),
  cost_usd: z.number().nullable(),
  /** JSON array of `AttemptRecord`s, in order. */
  attempt_log: z.string(),
});
export type RequestLogEntry = z.infer<typeof requestLogEntry>;

/**
 * What one subject (today an API key; later a person) may use, each limit optional: requests in a UTC minute,
 * tokens (prompt and answer) in a UTC day, USD at the configured prices in a UTC month, and seconds of audio
 * (heard or spoken) in a UTC day.
 */
// Bounded, so a limit always fits the counters (integers, cost in nano-USD) and means something.
export const quotaLimits = z.strictObject({
  requestsPerMinute: z.number().int().positive().max(1_000_000_000).optional(),
  tokensPerDay: z.number().int().positive().max(1_000_000_000_000).optional(),
  costPerMonthUsd: z.number().positive().max(1_000_000).optional(),
  /** Seconds of audio a UTC day: recordings transcribed or translated, and speech produced. */
  audioSecondsPerDay: z.number().int().positive().max(1_000_000_000).optional(),
});
export type QuotaLimits = z.infer<typeof quotaLimits>;
