import type { ProviderFailure } from "@benih/spec";

export interface FailureClass {
  /** Worth another try on the same target. */
  retry: boolean;
  /** Worth trying the next target. */
  fallback: boolean;
  /** Short reason for logs and for the client's error message. */
  reason: string;
}

export function asFailure(err: unknown, provider: string): ProviderFailure {
  if (typeof err === "object" && err !== null && (err as { name?: unknown }).name === "ProviderFailure") return err as ProviderFailure;
  return { name: "ProviderFailure", kind: "internal", provider, message: `unexpected failure: ${(err as Error)?.message ?? String(err)}` };
}

/**
 * Connect errors, timeouts, 429 and 5xx fall back (the rule); so do a rejected benih credential (401/403),
 * a broken answer and an unsupported feature, since another target may well serve the request. Other 4xx mean the
 * request itself is wrong and go back to the client as they are.
 */
export function classify(f: ProviderFailure): FailureClass {
  const upstream = f.upstreamMessage ? `: ${f.upstreamMessage}` : "";
  switch (f.kind) {
    case "connect":
      return { retry: true, fallback: true, reason: f.message };
    case "timeout":
      return { retry: false, fallback: true, reason: f.message };
    case "invalid-response":
    case "unsupported":
    case "too-long":
    case "internal":
      return { retry: false, fallback: true, reason: f.message };
    case "aborted":
      return { retry: false, fallback: false, reason: "the client went away" };
    case "http": {
      const s = f.status ?? 500;
      if (s === 429) return { retry: true, fallback: true, reason: `rate limited (HTTP 429)${upstream}` };
      if (s >= 500) return { retry: true, fallback: true, reason: `HTTP ${s}${upstream}` };
      if (s === 401 || s === 403) return { retry: false, fallback: true, reason: `rejected benih's credentials (HTTP ${s})${upstream}` };
      return { retry: false, fallback: false, reason: `HTTP ${s}${upstream}` };
    }
  }
}
