/** OpenAI's error types, which the official SDKs map to their typed errors by HTTP status. */
export type OpenAIErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  /** OpenAI's type for a 429 on requests per minute. */
  | "requests"
  /** OpenAI's type for a 429 when a budget (tokens, spend) is used up. */
  | "insufficient_quota"
  | "upstream_error"
  | "timeout_error"
  | "server_error";

/** An error meant for the client: status, OpenAI-shaped body, and nothing internal. */
export class GatewayError extends Error {
  /** Headers sent with the error (a quota's x-ratelimit-*). */
  headers?: Record<string, string>;

  constructor(
    readonly status: number,
    readonly type: OpenAIErrorType,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Seconds, sent as `retry-after` with 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "GatewayError";
  }

  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, "invalid_request_error", message, code, param);

export const modelNotFound = (model: string) =>
  new GatewayError(
    404,
    "invalid_request_error",
    `The model \`${model}\` does not exist or you do not have access to it. GET /v1/models lists the models this server offers.`,
    "model_not_found",
    "model",
  );
