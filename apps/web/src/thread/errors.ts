import { ApiError, NetworkError } from "../api/http.ts";
import type { TextKey } from "../i18n.ts";

/** What a person is told about a failure: what happened and what to do, by the server's error code or its words. */
export type FailureKey = Extract<
  TextKey,
  | "errContextLength"
  | "errNoModel"
  | "errRateLimited"
  | "errSkillNotConfigured"
  | "errTooLarge"
  | "errNetwork"
  | "errUnknown"
  | "errRequest"
>;

const BY_CODE: Record<string, FailureKey> = {
  context_length_exceeded: "errContextLength",
  model_not_found: "errNoModel",
  no_model: "errNoModel",
  no_target_available: "errNoModel",
  rate_limit_exceeded: "errRateLimited",
  upstream_rate_limited: "errRateLimited",
  skill_not_configured: "errSkillNotConfigured",
  images_not_configured: "errSkillNotConfigured",
  video_not_configured: "errSkillNotConfigured",
  request_too_large: "errTooLarge",
};

// Errors saved before answers kept their code, and providers that send none, are recognised by their words.
const BY_TEXT: Array<[RegExp, FailureKey]> = [
  [/context.?length|context window|too many tokens|maximum context|prompt is too long/i, "errContextLength"],
  [/\b429\b|rate.?limit|too many requests/i, "errRateLimited"],
  [/\b413\b|too large/i, "errTooLarge"],
  [/model\b.*\b(not found|does not exist|not available)|no (model|target)|unknown model/i, "errNoModel"],
  [/not configured|not set up/i, "errSkillNotConfigured"],
  [/failed to fetch|network ?error|fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|not reachable|did not reach/i, "errNetwork"],
];

/** The explanation for an error code and/or message. */
export function failureOf(code: string | undefined, message: string | null | undefined): FailureKey {
  if (code && BY_CODE[code]) return BY_CODE[code];
  for (const [words, key] of BY_TEXT) if (message && words.test(message)) return key;
  return "errUnknown";
}

/** The explanation for a thrown error (a request that failed outside an answer). */
export function failureOfError(e: Error): FailureKey {
  if (e instanceof NetworkError) return "errNetwork";
  const key =
    e instanceof ApiError && e.status === 429
      ? "errRateLimited"
      : e instanceof ApiError && e.status === 413
        ? "errTooLarge"
        : failureOf(e instanceof ApiError ? e.code : undefined, e.message);
  return key === "errUnknown" ? "errRequest" : key;
}
