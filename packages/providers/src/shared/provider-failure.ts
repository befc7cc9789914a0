import type { ProviderFailure, ProviderFailureKind } from "@benih/spec";
import type { HttpResponse } from "./transport.ts";

export class ProviderFailureError extends Error implements ProviderFailure {
  override readonly name = "ProviderFailure" as const;
  readonly kind: ProviderFailureKind;
  readonly provider: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly upstreamMessage?: string;

  constructor(
    init: { kind: ProviderFailureKind; provider: string; message: string } & Partial<
      Pick<ProviderFailure, "status" | "retryAfterMs" | "upstreamMessage">
    > & { cause?: unknown },
  ) {
    super(init.message, { cause: init.cause });
    this.kind = init.kind;
    this.provider = init.provider;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.upstreamMessage !== undefined) this.upstreamMessage = init.upstreamMessage;
  }
}

export function isProviderFailure(err: unknown): err is ProviderFailure {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "ProviderFailure";
}

/** `retry-after-ms`, or `retry-after` as seconds or an HTTP date. */
export function parseRetryAfter(header: (name: string) => string | null | undefined, now = Date.now()): number | undefined {
  const ms = header("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = header("retry-after");
  if (!ra) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The upstream's own message from an error body in the OpenAI or Anthropic shape, else the text itself. */
function upstreamMessageOf(text: string): string | undefined {
  if (!text) return undefined;
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof body.error === "string") return body.error;
    if (typeof body.error?.message === "string") return body.error.message;
    if (typeof body.message === "string") return body.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 500);
}

export async function failureFromResponse(provider: string, res: HttpResponse): Promise<ProviderFailureError> {
  const text = await res.text().catch(() => "");
  const upstreamMessage = upstreamMessageOf(text);
  const retryAfterMs = parseRetryAfter((name) => res.header(name));
  return new ProviderFailureError({
    kind: "http",
    provider,
    status: res.status,
    message: `${provider} answered HTTP ${res.status}${upstreamMessage ? `: ${upstreamMessage}` : ""}`,
    ...(upstreamMessage !== undefined && { upstreamMessage }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

/** Classifies what `fetch` (or a body read) threw: an abort by the caller, a timeout, or a network failure. */
export function failureFromThrown(provider: string, err: unknown, signal?: AbortSignal): ProviderFailureError {
  if (isProviderFailure(err)) return err as ProviderFailureError;
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string; message?: string } | undefined;
    const timeout = reason?.name === "TimeoutError";
    return new ProviderFailureError({
      kind: timeout ? "timeout" : "aborted",
      provider,
      message: timeout ? `${provider} timed out: ${reason?.message ?? "no answer in time"}` : `request to ${provider} was aborted`,
      cause: err,
    });
  }
  // fetch wraps the network error in `cause`; undici's request API throws it directly.
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  const source = e?.cause ?? e;
  const detail = [source?.code, source?.message ?? String(err)].filter(Boolean).join(" ");
  return new ProviderFailureError({ kind: "connect", provider, message: `connection to ${provider} failed: ${detail}`, cause: err });
}
