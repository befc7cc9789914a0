/**
 * What went wrong talking to an upstream. The gateway decides retry and fallback from `kind` and `status` alone,
 * so every provider must throw (or emit as an `error` part) an object of this shape.
 */
export type ProviderFailureKind =
  | "http" // the upstream answered with an error status
  | "connect" // no connection could be made, or it was reset
  | "timeout"
  | "aborted" // the caller aborted
  | "invalid-response" // the upstream answered something that is not its documented format
  | "unsupported" // the request asks for something this model cannot do
  | "too-long" // the prompt does not fit the model's context
  | "internal";

export interface ProviderFailure {
  readonly name: "ProviderFailure";
  readonly kind: ProviderFailureKind;
  readonly provider: string;
  readonly message: string;
  readonly status?: number;
  /** From the upstream's `retry-after` (or `retry-after-ms`) header. */
  readonly retryAfterMs?: number;
  /** The upstream's own error message, where it sent one. */
  readonly upstreamMessage?: string;
}
